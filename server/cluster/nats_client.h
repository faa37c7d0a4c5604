// File: server/cluster/nats_client.h
//
// The one connection of a cluster node to NATS, its JetStream context, and
// the single natsStatus -> absl::Status mapping. The client reconnects by
// itself forever; while it is disconnected every call fails fast with
// Unavailable and the health listener hears false.
//
// Thread safety: cnats connections and contexts are thread-safe; so is
// this class after Connect.
#ifndef NW_SERVER_CLUSTER_NATS_CLIENT_H_
#define NW_SERVER_CLUSTER_NATS_CLIENT_H_

#include <nats/nats.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "server/cluster/cluster_options.h"

namespace nw::cluster {

// Maps a cnats result: OK; NotFound (no such message or key); Aborted (an
// expected-sequence fence refused the write, JetStream error 10071);
// Unavailable for everything else (no connection, no quorum, timeouts),
// which the caller may retry. `what` names the operation.
absl::Status FromNats(natsStatus s, jsErrCode jerr, absl::string_view what);

struct BucketSpec {
  std::string name;
  int history = 1;
  absl::Duration ttl = absl::ZeroDuration();  // zero: keys never expire
};

class NatsClient {
 public:
  // Connects (waiting up to request_timeout for a first server) and opens a
  // JetStream context. `on_health(true/false)` is called from cnats threads
  // when the connection comes and goes. Unavailable when no server answers.
  static absl::StatusOr<std::unique_ptr<NatsClient>> Connect(
      const ClusterOptions& options, std::function<void(bool)> on_health);
  ~NatsClient();

  natsConnection* connection() const { return nc_; }
  jsCtx* js() const { return js_; }
  bool connected() const { return connected_.load(); }
  int64_t timeout_ms() const { return timeout_ms_; }
  // Replicas for streams and buckets (ClusterOptions::replicas resolved).
  int replicas() const { return replicas_; }

  // Creates `config`'s stream, or checks that it exists. Unavailable.
  absl::Status EnsureStream(jsStreamConfig& config);
  // Creates or binds the bucket; the handle lives as long as the client.
  absl::StatusOr<kvStore*> Bucket(const BucketSpec& spec);

 private:
  NatsClient() = default;
  static void OnDisconnected(natsConnection* nc, void* self);
  static void OnReconnected(natsConnection* nc, void* self);

  natsConnection* nc_ = nullptr;
  jsCtx* js_ = nullptr;
  int64_t timeout_ms_ = 5000;
  int replicas_ = 1;
  std::atomic<bool> connected_{false};
  std::function<void(bool)> on_health_;
  absl::Mutex mu_;
  std::vector<kvStore*> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace nw::cluster

#endif  // NW_SERVER_CLUSTER_NATS_CLIENT_H_
