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
// Thread safety: Start/Stop from one thread; the getters from any.
#ifndef NW_SERVER_CLUSTER_PARTITION_WORKER_H_
#define NW_SERVER_CLUSTER_PARTITION_WORKER_H_

#include <atomic>
#include <cstdint>
#include <thread>

#include "server/cluster/cluster_alert_log.h"
#include "server/cluster/cluster_rule_book.h"
#include "server/cluster/nats_client.h"
#include "server/index/rule_registry.h"

namespace nw::cluster {

class PartitionWorker {
 public:
  // All references must outlive the worker.
  PartitionWorker(NatsClient& nats, ClusterRuleBook& rules, kvStore* meta,
                  int partition)
      : nats_(nats),
        rules_(rules),
        meta_(meta),
        partition_(partition),
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
  // Matches one article and stores its alerts; false when stopped first.
  bool Process(natsMsg* msg, uint64_t seq);

  NatsClient& nats_;
  ClusterRuleBook& rules_;
  kvStore* const meta_;
  const int partition_;
  index::RuleRegistry registry_;
  AlertAppender appender_;  // Run's thread only
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> done_{0};
  std::atomic<uint64_t> fenced_{0};
  std::thread thread_;
};

}  // namespace nw::cluster

#endif  // NW_SERVER_CLUSTER_PARTITION_WORKER_H_
