// File: server/cluster/partition_worker.h
//
// Matches the articles of the stream against one partition's rules and
// writes that partition's alerts, while this node holds the partition's
// lease (partition_owner.h). It reads NW_ARTICLES in order with an ordered
// consumer from the partition's checkpoint (NW_META "ckpt.p<n>": every
// article up to it has its alerts stored), and appends through the fenced
// AlertAppender, so a second, stale owner can neither duplicate nor skip.
// An append NATS cannot take is retried (never skipped) until it succeeds
// or the worker stops; the checkpoint only moves past stored alerts.
//
// Backfills: between two articles the worker runs the unfinished backfill
// jobs of its partition's rules (cluster_rule_book.h). A rule is live in the
// worker's registry before its job runs, so the job covers the articles up
// to the last one matched (done()) and every later article is matched live:
// together every article once. It appends through the same fenced appender
// (AlertAppender::AppendBackfill), skipping articles the subscriber already
// has an alert for, so a rerun after a crash or by a second owner adds
// nothing twice and cursors stay dense.
//
// Thread safety: Start/Stop from one thread; the getters from any.
#ifndef NW_SERVER_CLUSTER_PARTITION_WORKER_H_
#define NW_SERVER_CLUSTER_PARTITION_WORKER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "server/cluster/analysis_cache.h"
#include "server/cluster/cluster_alert_log.h"
#include "server/cluster/cluster_rule_book.h"
#include "server/cluster/nats_client.h"
#include "server/index/rule_registry.h"

namespace nw::cluster {

// What a partition's worker measures, for the metrics endpoint; written by
// the worker, read by anyone.
struct PartitionStats {
  std::atomic<bool> owned{false};     // this node runs the worker now
  std::atomic<uint64_t> lag{0};       // articles in the stream after the last
                                      // one matched (when it was delivered)
  std::atomic<uint64_t> match_ns{0};  // moving average per article (1/32)
  std::atomic<uint64_t> articles{0};  // matched by this node
  std::atomic<uint64_t> backfill_alerts{0};
};

class PartitionWorker {
 public:
  // All references must outlive the worker; `stats` and `cache` (shared by
  // the node's workers) may be null.
  PartitionWorker(NatsClient& nats, ClusterRuleBook& rules, kvStore* meta,
                  int partition,
                  std::shared_ptr<PartitionStats> stats = nullptr,
                  std::shared_ptr<AnalysisCache> cache = nullptr)
      : nats_(nats),
        rules_(rules),
        meta_(meta),
        partition_(partition),
        stats_(stats ? std::move(stats) : std::make_shared<PartitionStats>()),
        cache_(cache ? std::move(cache) : std::make_shared<AnalysisCache>(64)),
        appender_(nats, partition) {}
  ~PartitionWorker() { Stop(); }

  void Start();
  // Stops after the article in hand (an append in flight may take up to the
  // request timeout). Idempotent.
  void Stop();
  // Asks to stop without waiting (stop many at once, then Stop each).
  void RequestStop() { stop_ = true; }

  int partition() const { return partition_; }
  // The last article whose alerts are all stored by this worker's watch.
  uint64_t done() const { return done_.load(); }
  uint64_t fenced() const { return fenced_.load(); }

 private:
  void Run();
  uint64_t LoadCheckpoint();
  void SaveCheckpoint(uint64_t seq);
  // Articles matched together at most (their alerts stored together).
  static constexpr int kMaxBatch = 64;
  // Matches article `seq` (in `msg`); adds its alerts to `out`.
  void Prepare(natsMsg* msg, uint64_t seq,
               std::vector<std::pair<newswatch::v1::Alert, uint64_t>>& out);
  // Stores `alerts` (retrying while NATS cannot take them); false when
  // stopped first.
  bool Store(
      const std::vector<std::pair<newswatch::v1::Alert, uint64_t>>& alerts);
  // Runs the partition's pending backfills; false when stopped first.
  bool RunBackfills();
  bool RunBackfill(const BackfillTask& task);

  NatsClient& nats_;
  ClusterRuleBook& rules_;
  kvStore* const meta_;
  const int partition_;
  const std::shared_ptr<PartitionStats> stats_;
  const std::shared_ptr<AnalysisCache> cache_;
  index::RuleRegistry registry_;
  absl::flat_hash_set<std::string> finished_backfills_;  // Run's thread
  AlertAppender appender_;                               // Run's thread only
  std::unique_ptr<AsyncPublisher> publisher_;            // Run's thread only
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> done_{0};
  std::atomic<uint64_t> fenced_{0};
  std::thread thread_;
};

}  // namespace nw::cluster

#endif  // NW_SERVER_CLUSTER_PARTITION_WORKER_H_
