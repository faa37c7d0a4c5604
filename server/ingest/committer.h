// File: server/ingest/committer.h
//
// The one writer of the ingest path: group commit, then publish.
//
// One committer thread takes every work item queued while the previous write
// was syncing and writes them as one WriteBatch (storage/commit_batch.h), so
// concurrent submissions share one WAL sync, and sequence numbers, cursors
// and publish order are one order. A publisher thread then hands each written
// group's alerts to the subscription hub and only then completes its items:
// handing alerts to gRPC streams does socket writes inline, which must not
// hold up the next group's commit. Streams only ever see durable alerts.
//
// Work items (each waited on by the thread that queued it):
//   ArticleCommit  analyzed and matched articles: dedupe by id, sequence,
//                  stories, cursors, then written with their alerts;
//   AlertCommit    alerts of stored articles (backfill) with the job's
//                  progress, in the same write;
//   Barrier        no write: the last sequence committed before it.
//
// Thread safety: Commit* may be called concurrently. The sequence, cursor and
// story state belong to the committer thread alone.
#ifndef NW_SERVER_INGEST_COMMITTER_H_
#define NW_SERVER_INGEST_COMMITTER_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "newswatch/v1/alert.pb.h"
#include "newswatch/v1/article.pb.h"
#include "server/alerts/subscription_hub.h"
#include "server/ingest/article_ingestor.h"
#include "server/ingest/ingest_metrics.h"
#include "server/ingest/story_stage.h"
#include "storage/article_store.h"
#include "storage/backfill_job.h"
#include "storage/db.h"

namespace nw::ingest {

// An article ready to commit: validated, analyzed and matched; its alerts
// are built compact (BuildCompactAlerts), their cursors not yet assigned.
// They are stored compact; the publisher completes (CompleteAlert) only those
// of subscribers with a connected stream.
struct PreparedArticle {
  newswatch::v1::Article article;
  std::vector<newswatch::v1::Alert> alerts;  // one per subscriber, compact
  std::vector<uint64_t> shingles;            // of the body, for stories
};

class Committer {
 private:
  struct Work;  // one queued item (below)

 public:
  // `last_sequence`: the newest stored article's; `last_cursors`: every
  // subscriber's last cursor. References must outlive the committer.
  Committer(storage::Db& db, alerts::SubscriptionHub& hub,
            IngestMetrics& metrics, uint64_t last_sequence,
            absl::flat_hash_map<std::string, uint64_t> last_cursors,
            std::unique_ptr<StoryStage> stories);
  // Commits what is queued, publishes it, then stops both threads.
  ~Committer();

  // A queued work item.
  class Pending {
   public:
    ~Pending();
    // Blocks until the item is committed and its alerts published; for a
    // barrier, returns the last sequence committed before it (else 0).
    uint64_t Wait();

   private:
    friend class Committer;
    explicit Pending(std::unique_ptr<Work> work);
    std::unique_ptr<Work> work_;
  };

  // Queues the articles of `prepared` (nullopt entries were refused before
  // and keep their results) and returns at once; once Wait() returns, each
  // committed article's entry of `results` is set: its sequence and alert
  // count, or `duplicate` with the first submission's sequence for an id
  // already stored (no alerts), or the write's error. Both vectors must
  // stay untouched until then.
  std::unique_ptr<Pending> QueueArticles(
      std::vector<std::optional<PreparedArticle>>& prepared,
      std::vector<absl::StatusOr<IngestResult>>& results);

  // Queues a barrier: no write; Wait() returns once everything queued before
  // it is committed, with the last sequence committed by then.
  std::unique_ptr<Pending> QueueBarrier();

  // Appends `alerts` (of stored articles; cursors assigned here, collapsed
  // copies of a story dropped) and stores `job`'s progress (deleting the job
  // when `job_done`) in the same write; returns once they are published,
  // with how many were appended. On error nothing of it was written.
  absl::StatusOr<size_t> CommitAlerts(std::vector<newswatch::v1::Alert> alerts,
                                      const storage::BackfillJob& job,
                                      bool job_done);

  // Story window figures (the rebuild at start). Call before ingest starts.
  const StoryStage& stories() const { return *stories_; }

 private:
  struct ArticleWork {
    std::vector<std::optional<PreparedArticle>>* prepared;
    std::vector<absl::StatusOr<IngestResult>>* results;
  };
  struct AlertWork {
    std::vector<newswatch::v1::Alert>* alerts;
    const storage::BackfillJob* job;
    bool job_done;
    absl::Status status;  // its own failure before the write (stories)
  };
  struct BarrierWork {
    uint64_t sequence = 0;
  };
  struct Work {
    explicit Work(std::variant<ArticleWork, AlertWork, BarrierWork> i)
        : item(std::move(i)) {}
    std::variant<ArticleWork, AlertWork, BarrierWork> item;
    absl::Status written;  // the outcome of the group's write
    absl::Notification done;
  };
  // A written group: its alerts for the hub and the work to complete.
  struct Published {
    // The written alert vectors, each with its article when the alerts are
    // compact (else null). Both belong to the group's work (PreparedArticle,
    // AlertWork) and stay alive until the work completes: the hub takes
    // them from there, without moving ~180 alerts per article again.
    std::vector<std::pair<std::vector<newswatch::v1::Alert>*,
                          const newswatch::v1::Article*>>
        alerts;
    std::vector<Work*> work;
  };

  std::unique_ptr<Pending> Queue(
      std::variant<ArticleWork, AlertWork, BarrierWork> item);
  void CommitLoop();
  void CommitGroup(const std::vector<Work*>& group);
  void PublishLoop();

  storage::Db& db_;
  const storage::ArticleStore articles_;
  alerts::SubscriptionHub& hub_;
  IngestMetrics& metrics_;

  absl::Mutex queue_mu_;
  std::deque<Work*> queue_ ABSL_GUARDED_BY(queue_mu_);
  bool stopping_ ABSL_GUARDED_BY(queue_mu_) = false;

  // Owned by the committer thread alone.
  uint64_t last_sequence_;
  absl::flat_hash_map<std::string, uint64_t> last_cursors_;
  std::unique_ptr<StoryStage> stories_;

  absl::Mutex publish_mu_;
  std::deque<Published> publish_queue_ ABSL_GUARDED_BY(publish_mu_);
  bool publish_stopping_ ABSL_GUARDED_BY(publish_mu_) = false;

  // Last: started when everything above exists.
  std::thread publisher_;
  std::thread committer_;
};

}  // namespace nw::ingest

#endif  // NW_SERVER_INGEST_COMMITTER_H_
