// File: server/cluster/async_publisher.h
//
// Publishes a batch of JetStream messages at once and waits for each one's
// ack: one round trip for the batch instead of one per message (cnats'
// js_PublishMsgAsync with a per-message ack handler). A message counts as
// stored only once its own ack says so; a timeout or a lost connection is
// Unavailable for that message alone (it may be stored or not: the caller
// retries with the same Nats-Msg-Id, or reads). Messages of one batch reach
// the server in order on the one connection.
//
// Thread safety: PublishAll may be called concurrently.
#ifndef NW_SERVER_CLUSTER_ASYNC_PUBLISHER_H_
#define NW_SERVER_CLUSTER_ASYNC_PUBLISHER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "server/cluster/nats_client.h"

namespace nw::cluster {

class AsyncPublisher {
 public:
  // `nats` must outlive the publisher.
  static absl::StatusOr<std::unique_ptr<AsyncPublisher>> Create(
      NatsClient& nats);
  ~AsyncPublisher();

  struct Message {
    std::string subject;
    std::string data;
    std::string msg_id;           // Nats-Msg-Id; empty: none
    std::string expected_stream;  // Nats-Expected-Stream; empty: none
    std::vector<std::pair<std::string, std::string>> headers;  // more
    // Nats-Expected-Last-Subject-Sequence (a KV create: 0); -1: none.
    int64_t expected_last_subject_seq = -1;
  };
  struct Ack {
    absl::Status status;  // OK: stored; Aborted: the expected sequence
                          // did not hold (10071); Unavailable otherwise
    uint64_t sequence = 0;
    bool duplicate = false;
  };
  // Publishes every message, then waits for every ack (up to the request
  // timeout each). One Ack per message, in order.
  std::vector<Ack> PublishAll(const std::vector<Message>& messages);

 private:
  struct Batch {
    std::vector<Ack> acks;
    size_t remaining = 0;
  };
  explicit AsyncPublisher(NatsClient& nats) : nats_(nats) {}
  static void OnAck(jsCtx* js, natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae,
                    void* self);

  NatsClient& nats_;
  jsCtx* js_ = nullptr;
  absl::Mutex mu_;
  // Messages in flight: where their ack goes.
  absl::flat_hash_map<natsMsg*, std::pair<Batch*, size_t>> inflight_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace nw::cluster

#endif  // NW_SERVER_CLUSTER_ASYNC_PUBLISHER_H_
