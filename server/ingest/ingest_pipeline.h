// File: server/ingest/ingest_pipeline.h
//
// The path of a submitted article: validate -> analyze -> match against the
// current rule snapshot (here, in parallel on the callers' threads and the
// match pool) -> commit and publish (committer.h: group commit of article,
// dedupe key and alerts in one WriteBatch, then the alerts to the streams).
// Rule changes split the articles exactly (PublishRuleChange), and backfill
// (backfill.h) goes through the same committer.
//
// Thread safety: all public methods may be called concurrently.
#ifndef NW_SERVER_INGEST_INGEST_PIPELINE_H_
#define NW_SERVER_INGEST_INGEST_PIPELINE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "newswatch/v1/alert.pb.h"
#include "newswatch/v1/article.pb.h"
#include "server/alerts/subscription_hub.h"
#include "server/base/clock.h"
#include "server/base/thread_pool.h"
#include "server/index/rule_registry.h"
#include "server/ingest/article_ingestor.h"
#include "server/ingest/article_validation.h"
#include "server/ingest/backfill.h"
#include "server/ingest/committer.h"
#include "server/ingest/ingest_metrics.h"
#include "server/ingest/story_stage.h"
#include "server/metrics/registry.h"
#include "storage/article_store.h"
#include "storage/backfill_job.h"
#include "storage/db.h"

namespace nw::ingest {

struct IngestOptions {
  ArticleLimits limits;
  // Threads that analyze and match the articles of a batch in parallel.
  // Default: 2.
  int match_threads = 2;
  // Where the pipeline registers its metrics (ingest_metrics.h); must
  // outlive the pipeline. Default: null, a private registry nobody reads.
  metrics::Registry* metrics = nullptr;
  // Whose settings decide collapse_stories (story_stage.h); must outlive
  // the pipeline. Default: null, every subscriber collapses stories.
  const storage::SubscriberSettingsStore* subscriber_settings = nullptr;
  // The story window (server/stories/story_window.h). Default: 7 days.
  stories::StoryWindowOptions stories;
};

class IngestPipeline : public ArticleIngestor {
 public:
  // Reads the last sequence number from `db`; `last_cursors` are every
  // subscriber's last cursor (AlertLog::LoadLastCursors). All references
  // must outlive the pipeline.
  static absl::StatusOr<std::unique_ptr<IngestPipeline>> Create(
      storage::Db& db, const index::RuleRegistry& rules,
      alerts::SubscriptionHub& hub,
      absl::flat_hash_map<std::string, uint64_t> last_cursors,
      IngestOptions options, const base::Clock& clock);
  // Commits what is queued, then stops the committer.
  ~IngestPipeline();

  // Ingests one article. InvalidArgument (nothing stored) for a bad article;
  // storage errors as FromRocksStatus maps them (nothing stored either).
  absl::StatusOr<IngestResult> Ingest(newswatch::v1::Article article) override;

  // Ingests several articles: one result per article, in order. A bad
  // article gets its error and does not stop the others.
  std::vector<absl::StatusOr<IngestResult>> IngestBatch(
      std::vector<newswatch::v1::Article> articles) override;

  // The story window after the rebuild at start: its articles, and how long
  // the rebuild took. Call before ingest starts (not synchronized).
  size_t story_window_size() const {
    return committer_->stories().window().size();
  }
  absl::Duration story_rebuild_time() const {
    return committer_->stories().rebuild_time();
  }

  // Runs `publish` (a rule change) so that it splits the articles exactly:
  // every article committed up to the returned sequence number was matched
  // without the change, every later one with it. For backfill.
  uint64_t PublishRuleChange(absl::FunctionRef<void()> publish);

  // Runs the backfill `job` (stored with the rule, storage/backfill_job.h):
  // matches `rule` against the stored articles with job.after < sequence <=
  // job.up_to ingested at or after job.since_unix_nanos, and appends one
  // alert per matching article to the rule's subscriber's log (after the
  // alerts already there), except for articles that subscriber already has
  // an alert for (one alert per article per subscriber). Each chunk's alerts
  // and the job's progress go in one write; the last deletes the job, so a
  // crash leaves a job that a later call completes exactly. Returns the
  // number of alerts created. REQUIRES: job.up_to set; backfills of one
  // subscriber do not run concurrently (RuleCatalog serializes them).
  // Near-duplicates of a story the subscriber was alerted on are collapsed
  // (stories, as at ingest).
  // Errors: storage errors; alerts committed before an error stay.
  absl::StatusOr<uint32_t> Backfill(
      std::shared_ptr<const index::IndexedRule> rule, storage::BackfillJob job);

 private:
  IngestPipeline(storage::Db& db, const index::RuleRegistry& rules,
                 alerts::SubscriptionHub& hub,
                 absl::flat_hash_map<std::string, uint64_t> last_cursors,
                 IngestOptions options, const base::Clock& clock,
                 uint64_t last_sequence, std::unique_ptr<StoryStage> stories);

  absl::StatusOr<PreparedArticle> Prepare(
      newswatch::v1::Article article,
      const index::RuleSnapshot& snapshot) const;

  // Constant after construction.
  const index::RuleRegistry& rules_;
  const IngestOptions options_;
  const base::Clock& clock_;
  base::ThreadPool match_pool_;
  std::unique_ptr<metrics::Registry> own_metrics_;  // when options had none
  IngestMetrics metrics_;

  // Readers: a Prepare between taking its snapshot and queueing its commit.
  // Writer: PublishRuleChange, so that no article straddles a rule change.
  absl::Mutex snapshot_mu_;

  std::unique_ptr<Committer> committer_;
  Backfiller backfiller_;
};

}  // namespace nw::ingest

#endif  // NW_SERVER_INGEST_INGEST_PIPELINE_H_
