#include "server/ingest/ingest_pipeline.h"

#include <chrono>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/notification.h"
#include "google/protobuf/util/time_util.h"
#include "server/base/status_macros.h"
#include "server/ingest/alert_builder.h"
#include "server/match/analyzed_article.h"
#include "storage/alert_log.h"
#include "storage/commit_batch.h"

namespace nw::ingest {

using newswatch::v1::Alert;
using newswatch::v1::Article;

absl::StatusOr<std::unique_ptr<IngestPipeline>> IngestPipeline::Create(
    storage::Db& db, const index::RuleRegistry& rules,
    alerts::SubscriptionHub& hub,
    absl::flat_hash_map<std::string, uint64_t> last_cursors,
    IngestOptions options, const base::Clock& clock) {
  NW_ASSIGN_OR_RETURN(uint64_t last_sequence,
                      storage::ArticleStore(db).LastSequence());
  NW_ASSIGN_OR_RETURN(std::unique_ptr<StoryStage> stories,
                      StoryStage::Create(db, options.subscriber_settings,
                                         clock.Now(), options.stories));
  return std::unique_ptr<IngestPipeline>(
      new IngestPipeline(db, rules, hub, std::move(last_cursors), options,
                         clock, last_sequence, std::move(stories)));
}

IngestPipeline::IngestPipeline(
    storage::Db& db, const index::RuleRegistry& rules,
    alerts::SubscriptionHub& hub,
    absl::flat_hash_map<std::string, uint64_t> last_cursors,
    IngestOptions options, const base::Clock& clock, uint64_t last_sequence,
    std::unique_ptr<StoryStage> stories)
    : rules_(rules),
      options_(options),
      clock_(clock),
      match_pool_(std::max(1, options.match_threads)),
      own_metrics_(options.metrics ? nullptr
                                   : std::make_unique<metrics::Registry>()),
      metrics_(options.metrics ? *options.metrics : *own_metrics_),
      committer_(std::make_unique<Committer>(db, hub, metrics_, last_sequence,
                                             std::move(last_cursors),
                                             std::move(stories))),
      backfiller_(db, *committer_, metrics_, clock) {}

// The committer (a member) commits what is queued before it stops.
IngestPipeline::~IngestPipeline() = default;

absl::StatusOr<PreparedArticle> IngestPipeline::Prepare(
    Article article, const index::RuleSnapshot& snapshot) const {
  NW_RETURN_IF_ERROR(ValidateArticle(article, options_.limits));
  article.clear_sequence();
  article.clear_story_id();
  article.clear_duplicate_of();
  *article.mutable_ingested_at() =
      google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
          absl::ToUnixNanos(clock_.Now()));
  const auto start = std::chrono::steady_clock::now();
  // Kept alive until the alerts are built: highlights may point into it.
  const match::AnalyzedArticle analyzed = AnalyzeArticle(article);
  index::MatchResult match = snapshot.MatchWithStats(analyzed);
  std::vector<Alert> alerts = BuildCompactAlerts(article, match.hits);
  std::vector<uint64_t> shingles = StoryStage::ShinglesOf(analyzed);
  metrics_.match_seconds.Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count());
  metrics_.candidates.Observe(static_cast<double>(match.stats.candidates));
  return PreparedArticle{.article = std::move(article),
                         .alerts = std::move(alerts),
                         .shingles = std::move(shingles)};
}

absl::StatusOr<IngestResult> IngestPipeline::Ingest(Article article) {
  std::vector<Article> one;
  one.push_back(std::move(article));
  return std::move(IngestBatch(std::move(one)).front());
}

std::vector<absl::StatusOr<IngestResult>> IngestPipeline::IngestBatch(
    std::vector<Article> articles) {
  const size_t n = articles.size();
  metrics_.in_flight.Add(static_cast<int64_t>(n));
  std::vector<absl::StatusOr<IngestResult>> results(n, IngestResult{});
  std::vector<std::optional<PreparedArticle>> prepared(n);
  std::unique_ptr<Committer::Pending> commit;
  {
    // The snapshot taken here decides: a rule change that returned before
    // this call applies to these articles.
    absl::ReaderMutexLock snapshot_lock(&snapshot_mu_);
    const std::shared_ptr<const index::RuleSnapshot> snapshot =
        rules_.Current();
    auto prepare_one = [&](size_t i) {
      absl::StatusOr<PreparedArticle> p =
          Prepare(std::move(articles[i]), *snapshot);
      if (p.ok()) {
        prepared[i] = *std::move(p);
      } else {
        results[i] = p.status();
      }
    };
    if (n == 1) {
      prepare_one(0);
    } else {
      // Both cores: articles of a batch are analyzed and matched in parallel.
      absl::BlockingCounter pending(static_cast<int>(n));
      for (size_t i = 0; i < n; ++i) {
        match_pool_.Schedule([&, i] {
          prepare_one(i);
          pending.DecrementCount();
        });
      }
      pending.Wait();
    }
    commit = committer_->QueueArticles(prepared, results);
  }
  commit->Wait();
  // Counted before the caller answers, so a client that has its acks sees
  // them in the metrics.
  for (const absl::StatusOr<IngestResult>& r : results) {
    if (!r.ok()) {
      metrics_.CountRejected(r.status().code());
    } else if (r->duplicate) {
      metrics_.duplicates.Increment();
    } else {
      metrics_.ingested.Increment();
      metrics_.alerts_ingest.Increment(r->alerts);
    }
  }
  metrics_.in_flight.Add(-static_cast<int64_t>(n));
  return results;
}

uint64_t IngestPipeline::PublishRuleChange(absl::FunctionRef<void()> publish) {
  std::unique_ptr<Committer::Pending> barrier;
  {
    // Waits for every Prepare that took the old snapshot to be queued; the
    // barrier queued behind them marks the split.
    absl::MutexLock snapshot_lock(&snapshot_mu_);
    publish();
    barrier = committer_->QueueBarrier();
  }
  return barrier->Wait();
}

absl::StatusOr<uint32_t> IngestPipeline::Backfill(
    std::shared_ptr<const index::IndexedRule> rule, storage::BackfillJob job) {
  return backfiller_.Run(std::move(rule), std::move(job));
}

}  // namespace nw::ingest
