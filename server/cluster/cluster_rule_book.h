// File: server/cluster/cluster_rule_book.h
//
// Watch rules in cluster mode: bucket NW_RULES (key: hex rule id, value: the
// WatchRule protobuf), shared by every node. Each node watches the whole
// bucket and keeps every rule compiled; a partition worker attaches its
// RuleRegistry and from then on gets the changes of its partition's
// subscribers, within milliseconds of the write (the 1 s promise).
// Generated ids ("r-<n>") come from a counter in NW_META, bumped by
// compare-and-set. A change returns once this node's watcher has seen it,
// so a List on the same node and this node's matching see it.
//
// Backfill: Create with backfill_since stores a job in bucket NW_BACKFILL
// (key: hex rule id; value: EncodeBackfillJob) before the rule, so that
// every node that sees the rule sees its job. The owner of the rule's
// partition runs it (partition_worker.h) and marks it done with the number
// of alerts created; Create waits for that (up to kBackfillWait) and
// returns that number, then deletes the job. A job outlives a crash of its
// runner: the partition's next owner runs it again, and a rerun appends
// nothing twice (one alert per article per subscriber, read from the log).
//
// Departure from the design note: one bucket for all partitions, not one
// per partition. Every node keeps every rule compiled (its memory bounds
// the rule count, as on a single node); the per-partition bucket is the
// step that lets a matcher load only its share.
//
// Thread safety: all methods may be called concurrently.
#ifndef NW_SERVER_CLUSTER_CLUSTER_RULE_BOOK_H_
#define NW_SERVER_CLUSTER_CLUSTER_RULE_BOOK_H_

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/synchronization/mutex.h"
#include "server/catalog/rule_book.h"
#include "server/cluster/nats_client.h"
#include "server/index/rule_registry.h"

namespace nw::cluster {

struct BackfillJob {
  int64_t since_unix_nanos = 0;  // articles ingested at or after this
  uint64_t after = 0;            // articles up to this sequence are done
  uint64_t created = 0;          // backfill alerts appended so far
  bool done = false;
};
std::string EncodeBackfillJob(const BackfillJob& job);
std::optional<BackfillJob> DecodeBackfillJob(absl::string_view value);

// A backfill for a partition worker to run.
struct BackfillTask {
  std::string rule_id;
  std::shared_ptr<const index::IndexedRule> rule;
  BackfillJob job;
};

class ClusterRuleBook final : public catalog::RuleBook {
 public:
  // How long Create waits for the backfill to finish before it answers
  // (the backfill goes on; backfilled_alerts is then not set).
  static constexpr absl::Duration kBackfillWait = absl::Seconds(60);

  // Opens the buckets and loads every rule (the watch's initial values)
  // before returning. Unavailable when NATS cannot serve them.
  static absl::StatusOr<std::unique_ptr<ClusterRuleBook>> Open(
      NatsClient& nats, int partitions, size_t max_rules_per_subscriber);
  ~ClusterRuleBook() override;

  // RuleCatalog's contracts, except: Unavailable when NATS cannot take the
  // change.
  absl::StatusOr<newswatch::v1::WatchRule> Create(
      newswatch::v1::WatchRule rule,
      std::optional<absl::Time> backfill_since) override;
  absl::StatusOr<newswatch::v1::WatchRule> Get(
      absl::string_view id) const override;
  absl::StatusOr<std::vector<newswatch::v1::WatchRule>> List(
      absl::string_view subscriber) const override;
  absl::Status Delete(absl::string_view id) override;
  size_t size() const override;

  // Resets `registry` to the rules of `partition` and keeps it up to date
  // until Detach. `registry` must stay alive until then.
  void Attach(int partition, index::RuleRegistry* registry);
  void Detach(int partition);
  // Rules per partition (admin, metrics).
  std::vector<size_t> RulesPerPartition() const;

  // Unfinished backfills of `partition`'s rules this node has compiled (so
  // a worker attached to the partition matches them live already).
  std::vector<BackfillTask> PendingBackfills(int partition) const;
  // Stores a backfill's progress (best effort; a rerun is exact anyway).
  void SaveBackfill(const std::string& rule_id, const BackfillJob& job);

 private:
  struct Entry {
    newswatch::v1::WatchRule rule;
    std::shared_ptr<const index::IndexedRule> compiled;
    int partition = 0;
  };
  ClusterRuleBook(NatsClient& nats, kvStore* rules, kvStore* meta,
                  kvStore* jobs, int partitions,
                  size_t max_rules_per_subscriber)
      : nats_(nats),
        rules_(rules),
        meta_(meta),
        jobs_bucket_(jobs),
        partitions_(partitions),
        max_rules_per_subscriber_(max_rules_per_subscriber) {}
  void WatchLoop(kvWatcher* watcher);
  void JobWatchLoop(kvWatcher* watcher);
  void Apply(kvEntry* entry);
  // Waits for the job of `rule_id` to be done; its alert count, nullopt
  // on timeout.
  std::optional<uint64_t> AwaitBackfill(const std::string& rule_id);
  absl::StatusOr<uint64_t> NextRuleNumber();
  // Waits (up to 2 s) until this node's view satisfies `seen`.
  void AwaitView(absl::FunctionRef<bool()> seen) const;

  NatsClient& nats_;
  kvStore* const rules_;
  kvStore* const meta_;
  kvStore* const jobs_bucket_;
  const int partitions_;
  const size_t max_rules_per_subscriber_;

  mutable absl::Mutex mu_;
  bool loaded_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_map<std::string, Entry> by_id_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<int, index::RuleRegistry*> attached_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, BackfillJob> jobs_ ABSL_GUARDED_BY(mu_);

  kvWatcher* watcher_ = nullptr;
  std::thread watch_thread_;
  kvWatcher* job_watcher_ = nullptr;
  std::thread job_watch_thread_;
  std::atomic<bool> stopping_{false};
};

}  // namespace nw::cluster

#endif  // NW_SERVER_CLUSTER_CLUSTER_RULE_BOOK_H_
