// File: server/cluster/partition_owner.h
//
// Which matcher writes which partition: leases in bucket NW_OWNERS, whose
// keys expire `lease` after their last write (the bucket's TTL).
//   * Every matcher node puts "node.<hex id>" each tick (lease / 4): the
//     live matchers are the node keys present.
//   * Partition p is owned by whoever created key "p<p>" (create fails when
//     it exists) and renews it by compare-and-set on its revision each
//     tick. A failed renewal (the key expired and someone else took it, as
//     after SIGSTOP) stops that partition's worker at once.
//   * Balance: partition p prefers live matcher number p mod N (by sorted
//     id). A node claims a free partition it prefers, or any free one while
//     it holds fewer than ceil(P / N); it releases (deletes the key of) a
//     partition another node prefers while it holds more than that.
// A killed matcher's partitions are free within `lease` and claimed on the
// next tick of another node. The lease only avoids double work: a stale
// owner's appends are refused by the per-subscriber fence
// (cluster_alert_log.h), so correctness never depends on clocks.
//
// Thread safety: Snapshot may be called from any thread.
#ifndef NW_SERVER_CLUSTER_PARTITION_OWNER_H_
#define NW_SERVER_CLUSTER_PARTITION_OWNER_H_

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "server/cluster/cluster_options.h"
#include "server/cluster/cluster_rule_book.h"
#include "server/cluster/nats_client.h"
#include "server/cluster/partition_worker.h"

namespace nw::cluster {

struct PartitionInfo {
  int partition = 0;
  std::string owner;        // node id; empty: none right now
  uint64_t checkpoint = 0;  // article sequence with all alerts stored
  size_t rules = 0;
};

struct ClusterSnapshot {
  std::vector<std::string> nodes;  // live matcher nodes
  uint64_t last_article = 0;       // NW_ARTICLES last sequence
  std::vector<PartitionInfo> partitions;
};

class PartitionOwner {
 public:
  // Starts the lease loop (and, when `match`, the workers it gets).
  static absl::StatusOr<std::unique_ptr<PartitionOwner>> Start(
      NatsClient& nats, ClusterRuleBook& rules, const ClusterOptions& options,
      bool match);
  // Stops the workers and gives up this node's leases, so that another node
  // takes over at once (a rolling restart pauses a partition for a tick).
  ~PartitionOwner();

  // Owners, checkpoints and rule counts as NATS has them now.
  absl::StatusOr<ClusterSnapshot> Snapshot() const;
  // This node's measurements of partition p (index p); safe from any thread.
  const std::vector<std::shared_ptr<PartitionStats>>& stats() const {
    return stats_;
  }

 private:
  PartitionOwner(NatsClient& nats, ClusterRuleBook& rules,
                 const ClusterOptions& options, bool match, kvStore* owners,
                 kvStore* meta)
      : nats_(nats),
        rules_(rules),
        options_(options),
        match_(match),
        owners_(owners),
        meta_(meta) {
    for (int p = 0; p < options.partitions; ++p)
      stats_.push_back(std::make_shared<PartitionStats>());
  }
  void Loop();
  void Tick();
  // Stops the worker and, with `delete_key`, hands the lease back; false
  // when NATS did not answer the hand-back (the lease then runs out).
  bool Release(int partition, bool delete_key);

  NatsClient& nats_;
  ClusterRuleBook& rules_;
  const ClusterOptions options_;
  const bool match_;
  kvStore* const owners_;
  kvStore* const meta_;
  std::vector<std::shared_ptr<PartitionStats>> stats_;  // fixed size
  // One analysis per article per node, whatever the partitions it owns.
  const std::shared_ptr<AnalysisCache> cache_ =
      std::make_shared<AnalysisCache>();

  // The loop's thread only.
  struct Held {
    uint64_t revision = 0;
    std::unique_ptr<PartitionWorker> worker;
  };
  std::map<int, Held> held_;

  absl::Notification stop_;
  std::thread loop_;
};

}  // namespace nw::cluster

#endif  // NW_SERVER_CLUSTER_PARTITION_OWNER_H_
