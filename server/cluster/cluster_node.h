// File: server/cluster/cluster_node.h
//
// Cluster mode's composition: one NATS connection and, behind the daemon's
// seams, the cluster's article log (ingest and Get), rule book, alert log
// reader and live alert feed, plus the partition leases and workers of a
// matcher. The daemon builds this instead of the RocksDB-backed pieces when
// --cluster is set (server/daemon/daemon.cc); the RPC services, the
// subscription hub, alert streams, analysis and matching are the same code.
//
// Thread safety: the accessors' objects are thread-safe.
#ifndef NW_SERVER_CLUSTER_CLUSTER_NODE_H_
#define NW_SERVER_CLUSTER_CLUSTER_NODE_H_

#include <functional>
#include <memory>

#include "absl/status/statusor.h"
#include "newswatch/v1/admin_service.pb.h"
#include "server/alerts/subscription_hub.h"
#include "server/base/clock.h"
#include "server/cluster/cluster_alert_log.h"
#include "server/cluster/cluster_ingestor.h"
#include "server/cluster/cluster_options.h"
#include "server/cluster/cluster_rule_book.h"
#include "server/cluster/nats_client.h"
#include "server/cluster/partition_owner.h"
#include "server/metrics/registry.h"

namespace nw::cluster {

// Parses --role; InvalidArgument naming the choices.
absl::StatusOr<Role> ParseRole(absl::string_view role);
absl::string_view RoleName(Role role);

class ClusterNode {
 public:
  // Connects, creates the streams and buckets on first use, checks
  // --partitions against the cluster's (FailedPrecondition when it
  // differs), loads the rules and, for matchers, starts taking partitions.
  // `hub` and `clock` must outlive the node.
  static absl::StatusOr<std::unique_ptr<ClusterNode>> Start(
      const ClusterOptions& options, alerts::SubscriptionHub& hub,
      ingest::ArticleLimits limits, size_t max_rules_per_subscriber,
      const base::Clock& clock);
  ~ClusterNode();

  ingest::ArticleIngestor& ingestor() { return *ingestor_; }
  storage::ArticleReader& articles() { return *ingestor_; }
  catalog::RuleBook& rules() { return *rules_; }
  storage::AlertReader& alerts() { return *reader_; }
  const ClusterOptions& options() const { return options_; }

  // Called with false while NATS is unreachable, true when it is back.
  void SetHealthListener(std::function<void(bool)> listener);
  bool connected() const { return nats_->connected(); }
  absl::StatusOr<ClusterSnapshot> Snapshot() const {
    return owner_->Snapshot();
  }
  // Adds the per-partition gauges (rules, owned, lag, match time, backfill
  // alerts) to `registry`, read from this node at scrape time. Once.
  void RegisterMetrics(metrics::Registry& registry);
  // Snapshot() as AdminService.GetClusterStatus answers it.
  absl::StatusOr<newswatch::v1::ClusterStatus> Status() const;

 private:
  struct HealthRelay {
    absl::Mutex mu;
    std::function<void(bool)> listener ABSL_GUARDED_BY(mu);
  };
  explicit ClusterNode(const ClusterOptions& options) : options_(options) {}

  const ClusterOptions options_;
  std::shared_ptr<HealthRelay> health_ = std::make_shared<HealthRelay>();
  std::unique_ptr<NatsClient> nats_;
  std::unique_ptr<ClusterIngestor> ingestor_;
  std::unique_ptr<ClusterRuleBook> rules_;
  std::unique_ptr<ClusterAlertReader> reader_;
  std::unique_ptr<LiveAlertFeed> feed_;
  std::unique_ptr<PartitionOwner> owner_;
};

}  // namespace nw::cluster

#endif  // NW_SERVER_CLUSTER_CLUSTER_NODE_H_
