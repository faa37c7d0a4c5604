#include "server/ingest/ingest_pipeline.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "server/match/analyzed_article.h"
#include "storage/commit_batch.h"

namespace nw::ingest {

using newswatch::v1::Alert;
using newswatch::v1::Article;

// Alerts are built before commit without cursors; commit assigns them.
struct IngestPipeline::Prepared {
  Article article;
  std::vector<Alert> alerts;  // one per subscriber, cursor unset
};

absl::StatusOr<std::unique_ptr<IngestPipeline>> IngestPipeline::Create(
    storage::Db& db, const index::RuleRegistry& rules, alerts::SubscriptionHub& hub,
    absl::flat_hash_map<std::string, uint64_t> last_cursors, ArticleLimits limits) {
  absl::StatusOr<uint64_t> last_sequence = storage::ArticleStore(db).LastSequence();
  if (!last_sequence.ok()) return last_sequence.status();
  return std::unique_ptr<IngestPipeline>(new IngestPipeline(
      db, rules, hub, std::move(last_cursors), limits, *last_sequence));
}

IngestPipeline::IngestPipeline(storage::Db& db, const index::RuleRegistry& rules,
                               alerts::SubscriptionHub& hub,
                               absl::flat_hash_map<std::string, uint64_t> last_cursors,
                               ArticleLimits limits, uint64_t last_sequence)
    : db_(db),
      articles_(db),
      rules_(rules),
      hub_(hub),
      limits_(limits),
      last_sequence_(last_sequence),
      last_cursors_(std::move(last_cursors)) {}

absl::StatusOr<IngestPipeline::Prepared> IngestPipeline::Prepare(Article article) const {
  if (absl::Status s = ValidateArticle(article, limits_); !s.ok()) return s;
  article.clear_sequence();
  *article.mutable_ingested_at() = google::protobuf::util::TimeUtil::GetCurrentTime();

  std::vector<std::string_view> tags(article.tags().begin(), article.tags().end());
  const match::AnalyzedArticle analyzed = match::AnalyzedArticle::Analyze(
      {.title = article.title(),
       .body = article.body(),
       .source = article.source(),
       .lang = article.lang(),
       .tags = std::move(tags)});
  // The snapshot taken here decides: a rule change that returned before this
  // call applies to this article.
  const std::vector<index::RuleHit> hits = rules_.Current()->Match(analyzed);

  Prepared prepared{.article = std::move(article)};
  for (const index::RuleHit& hit : hits) {  // ordered by subscriber, then rule id
    if (prepared.alerts.empty() ||
        prepared.alerts.back().subscriber() != hit.rule->subscriber) {
      Alert& alert = prepared.alerts.emplace_back();
      alert.set_subscriber(hit.rule->subscriber);
      alert.set_title(prepared.article.title());
      alert.set_source(prepared.article.source());
      if (prepared.article.has_published_at()) {
        *alert.mutable_published_at() = prepared.article.published_at();
      }
      *alert.mutable_created_at() = prepared.article.ingested_at();
    }
    Alert& alert = prepared.alerts.back();
    alert.add_rule_ids(hit.rule->id);
    newswatch::v1::RuleMatch* rule_match = alert.add_matches();
    rule_match->set_rule_id(hit.rule->id);
    for (const match::Highlight& h : hit.highlights) {
      newswatch::v1::Highlight* out = rule_match->add_highlights();
      out->set_field(h.field == match::Field::kTitle ? newswatch::v1::Highlight::TITLE
                                                     : newswatch::v1::Highlight::BODY);
      out->set_begin(h.begin);
      out->set_end(h.end);
    }
  }
  return prepared;
}

absl::StatusOr<IngestResult> IngestPipeline::Ingest(Article article) {
  std::vector<Article> one;
  one.push_back(std::move(article));
  return std::move(IngestBatch(std::move(one)).front());
}

std::vector<absl::StatusOr<IngestResult>> IngestPipeline::IngestBatch(
    std::vector<Article> articles) {
  std::vector<absl::StatusOr<IngestResult>> results;
  std::vector<std::optional<Prepared>> prepared;
  for (Article& article : articles) {
    absl::StatusOr<Prepared> p = Prepare(std::move(article));
    results.push_back(p.ok() ? absl::StatusOr<IngestResult>(IngestResult{})
                             : absl::StatusOr<IngestResult>(p.status()));
    prepared.push_back(p.ok() ? std::optional<Prepared>(*std::move(p)) : std::nullopt);
  }

  absl::MutexLock lock(&commit_mu_);
  uint64_t sequence = last_sequence_;
  absl::flat_hash_map<std::string, uint64_t> cursors;  // advanced in this batch
  absl::flat_hash_map<std::string, uint64_t> batch_ids;  // dedupe within the batch
  std::vector<storage::ArticleCommit> commits;
  for (size_t i = 0; i < prepared.size(); ++i) {
    if (!prepared[i]) continue;
    Article& article = prepared[i]->article;
    IngestResult& result = *results[i];
    if (!article.id().empty()) {
      std::optional<uint64_t> first;
      if (auto it = batch_ids.find(article.id()); it != batch_ids.end()) {
        first = it->second;
      } else {
        absl::StatusOr<std::optional<uint64_t>> stored = articles_.FindSequence(article.id());
        if (!stored.ok()) {
          results[i] = stored.status();
          continue;
        }
        first = *stored;
      }
      if (first) {
        result = {.article_id = article.id(), .sequence = *first, .duplicate = true};
        continue;
      }
    }
    article.set_sequence(++sequence);
    if (article.id().empty()) article.set_id(absl::StrCat("nw-", sequence));
    batch_ids[article.id()] = sequence;
    for (Alert& alert : prepared[i]->alerts) {
      uint64_t& cursor = cursors[alert.subscriber()];
      if (cursor == 0) {
        auto it = last_cursors_.find(alert.subscriber());
        cursor = it == last_cursors_.end() ? 0 : it->second;
      }
      alert.set_cursor(++cursor);
      alert.set_article_id(article.id());
      alert.set_article_sequence(sequence);
    }
    result = {.article_id = article.id(),
              .sequence = sequence,
              .alerts = static_cast<uint32_t>(prepared[i]->alerts.size())};
    commits.push_back({.article = &article, .alerts = &prepared[i]->alerts});
  }
  if (commits.empty()) return results;

  if (absl::Status s = storage::CommitArticles(db_, commits); !s.ok()) {
    // Nothing was written: the counters stay where they were.
    for (size_t i = 0; i < prepared.size(); ++i) {
      if (prepared[i] && prepared[i]->article.sequence() != 0 && results[i].ok() &&
          !results[i]->duplicate) {
        results[i] = s;
      }
    }
    return results;
  }
  last_sequence_ = sequence;
  for (const auto& [subscriber, cursor] : cursors) last_cursors_[subscriber] = cursor;
  std::vector<Alert> published;
  for (const storage::ArticleCommit& commit : commits) {
    published.insert(published.end(), commit.alerts->begin(), commit.alerts->end());
  }
  hub_.Publish(published);
  return results;
}

}  // namespace nw::ingest
