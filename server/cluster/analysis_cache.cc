#include "server/cluster/analysis_cache.h"

#include "absl/strings/str_cat.h"
#include "server/ingest/alert_builder.h"

namespace nw::cluster {

std::shared_ptr<const AnalysisCache::Entry> AnalysisCache::Get(uint64_t seq,
                                                               const void* data,
                                                               int size) {
  std::shared_ptr<Slot> slot;
  {
    absl::MutexLock lock(&mu_);
    std::shared_ptr<Slot>& s = slots_[seq];
    if (s == nullptr) {
      s = std::make_shared<Slot>();
      order_.push_back(seq);
      while (order_.size() > capacity_) {
        slots_.erase(order_.front());
        order_.pop_front();
      }
    }
    slot = s;
  }
  absl::call_once(slot->once, [&] {
    newswatch::v1::Article article;
    if (!article.ParseFromArray(data, size)) return;
    article.set_sequence(seq);
    if (article.id().empty()) article.set_id(absl::StrCat("nw-", seq));
    // The analysis owns copies of what it needs (analyzed_article.h).
    match::AnalyzedArticle analyzed = ingest::AnalyzeArticle(article);
    slot->entry = std::make_shared<const Entry>(
        Entry{std::move(article), std::move(analyzed)});
    analyses_.fetch_add(1, std::memory_order_relaxed);
  });
  return slot->entry;
}

}  // namespace nw::cluster
