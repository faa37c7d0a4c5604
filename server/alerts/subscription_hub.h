// File: server/alerts/subscription_hub.h
//
// Fans committed alerts out to the connected streams of their subscriber.
// Publish only hands alerts to bounded per-stream queues: it never does I/O
// and never waits for a client, so a slow reader cannot slow ingest.
//
// Thread safety: all methods may be called concurrently. Lock order:
// SubscriptionHub::mu_ -> AlertStream::mu_ (Publish runs on the ingest
// Committer's publisher thread, which holds no lock of its own then).
#ifndef NW_SERVER_ALERTS_SUBSCRIPTION_HUB_H_
#define NW_SERVER_ALERTS_SUBSCRIPTION_HUB_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "newswatch/v1/alert.pb.h"
#include "server/alerts/alert_metrics.h"
#include "server/alerts/alert_stream.h"
#include "server/metrics/registry.h"

namespace nw::alerts {

class SubscriptionHub {
 public:
  // `last_cursors`: every subscriber's last committed cursor (from the log).
  // Metrics go to `registry` (which must outlive the hub and its streams);
  // null: a private registry nobody reads.
  explicit SubscriptionHub(
      absl::flat_hash_map<std::string, uint64_t> last_cursors,
      metrics::Registry* registry = nullptr)
      : own_registry_(registry ? nullptr
                               : std::make_unique<metrics::Registry>()),
        metrics_(registry ? *registry : *own_registry_),
        last_cursors_(std::move(last_cursors)) {}

  // Connects `stream`: from now on it is offered its subscriber's alerts.
  // With `live_only` it starts after the subscriber's last committed cursor.
  // ResourceExhausted (nothing registered) when `max_streams` are connected,
  // or `max_per_subscriber` of the stream's subscriber;
  // OutOfRange (nothing registered) when the stream starts after a cursor
  // the subscriber never had.
  // The stream reports to the hub's metrics from then on.
  absl::Status Register(const std::shared_ptr<AlertStream>& stream,
                        bool live_only, size_t max_streams = SIZE_MAX,
                        size_t max_per_subscriber = SIZE_MAX);
  // Disconnects `stream` (no-op if not registered).
  void Unregister(const std::shared_ptr<AlertStream>& stream);

  // Offers committed alerts, in cursor order per subscriber. REQUIRES: every
  // alert is already durable in the AlertLog.
  void Publish(const std::vector<newswatch::v1::Alert>& alerts);
  // The same for alerts not yet complete (stored compact): `complete(alert)`
  // runs (with the hub's mutex held) just before an alert is offered, only
  // when its subscriber has a connected stream; the alerts of subscribers
  // without one are left as they are. Offered alerts may be moved from.
  void Publish(std::vector<newswatch::v1::Alert>& alerts,
               absl::FunctionRef<void(newswatch::v1::Alert&)> complete);

  // Raises what the hub knows as `subscriber`'s newest cursor to `cursor`
  // without offering anything (a cluster's alerts are written elsewhere:
  // streams starting after this catch up from the log).
  void NoteCursor(const std::string& subscriber, uint64_t cursor);

  // Sends a heartbeat on every stream idle for `interval` (see
  // AlertStream::MaybeHeartbeat).
  void SendHeartbeats(absl::Duration interval);

  // Ends (AlertStream::End) every connected stream for which `check` does
  // not return OK, with that status; returns how many. `check` runs with the
  // hub's mutex held: it must be quick and not call into the hub.
  size_t EndStreams(
      const std::function<absl::Status(const AlertStream&)>& check);

  // Streams currently connected.
  size_t ConnectedStreams() const;

  // The subscriber's last committed cursor (0: no alerts yet).
  uint64_t LastCursor(const std::string& subscriber) const;

 private:
  const std::unique_ptr<metrics::Registry> own_registry_;
  AlertMetrics metrics_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, uint64_t> last_cursors_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string,
                      absl::flat_hash_set<std::shared_ptr<AlertStream>>>
      streams_ ABSL_GUARDED_BY(mu_);
  size_t connected_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace nw::alerts

#endif  // NW_SERVER_ALERTS_SUBSCRIPTION_HUB_H_
