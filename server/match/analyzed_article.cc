#include "server/match/analyzed_article.h"

#include <algorithm>

#include "absl/strings/ascii.h"

namespace nw::match {

AnalyzedArticle AnalyzedArticle::Analyze(const ArticleText& article) {
  AnalyzedArticle a;
  a.words_[0] = text::AnalyzeField(article.title);
  a.words_[1] = text::AnalyzeField(article.body);
  // Term ids, and per (term, field) counts; then positions by counting sort, so
  // that every posting list lives in one array (no allocation per term).
  const size_t word_count = a.words_[0].size() + a.words_[1].size();
  a.term_ids_.reserve(word_count);
  a.terms_.reserve(word_count);
  a.offsets_.reserve(2 * word_count + 1);
  std::vector<uint32_t>& counts = a.offsets_;
  for (size_t slot = 0; slot < 2; ++slot) {
    a.word_ids_[slot].reserve(a.words_[slot].size());
    for (const text::Word& w : a.words_[slot]) {
      auto [it, inserted] = a.term_ids_.try_emplace(
          std::string_view(w.term), static_cast<uint32_t>(a.terms_.size()));
      if (inserted) {
        a.terms_.push_back(w.term);
        counts.push_back(0);
        counts.push_back(0);
      }
      ++counts[2 * it->second + slot];
      a.word_ids_[slot].push_back(it->second);
    }
  }
  uint32_t sum = 0;
  for (uint32_t& c : counts)
    sum += std::exchange(c, sum);  // exclusive prefix sums
  counts.push_back(sum);
  a.positions_.resize(sum);
  std::vector<uint32_t> cursor(counts.begin(), counts.end() - 1);
  for (size_t slot = 0; slot < 2; ++slot) {
    const std::vector<uint32_t>& ids = a.word_ids_[slot];
    for (uint32_t p = 0; p < ids.size(); ++p)
      a.positions_[cursor[2 * ids[p] + slot]++] = p;
  }
  a.source_ = text::NormalizeMetadata(article.source);
  a.lang_ = absl::AsciiStrToLower(
      absl::string_view(article.lang.data(), article.lang.size()));
  a.tags_.reserve(article.tags.size());
  for (std::string_view tag : article.tags) {
    a.tags_.push_back(text::NormalizeMetadata(tag));
  }
  return a;
}

uint32_t AnalyzedArticle::FindTerm(std::string_view term) const {
  auto it = term_ids_.find(term);
  return it == term_ids_.end() ? kNoTerm : it->second;
}

void AnalyzedArticle::ForEachPrefixMatch(
    Field field, std::string_view prefix,
    absl::FunctionRef<void(absl::Span<const uint32_t>)> fn) const {
  absl::call_once(sorted_->once, [&] {
    sorted_->terms.reserve(terms_.size());
    for (uint32_t id = 0; id < terms_.size(); ++id)
      sorted_->terms.emplace_back(terms_[id], id);
    std::sort(sorted_->terms.begin(), sorted_->terms.end());
  });
  const auto& sorted_terms = sorted_->terms;
  auto it =
      std::lower_bound(sorted_terms.begin(), sorted_terms.end(), prefix,
                       [](const std::pair<std::string_view, uint32_t>& entry,
                          std::string_view p) { return entry.first < p; });
  for (; it != sorted_terms.end(); ++it) {
    if (it->first.substr(0, prefix.size()) != prefix) break;
    const absl::Span<const uint32_t> positions =
        TermPositions(it->second, field);
    if (!positions.empty()) fn(positions);
  }
}

}  // namespace nw::match
