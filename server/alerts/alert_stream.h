// File: server/alerts/alert_stream.h
//
// One subscriber stream's delivery state, free of gRPC: where the client is
// (next cursor to send), a bounded queue of live alerts, and catch-up from
// the alert log when the client starts behind or falls behind.
//
// Delivery is exact: alerts go out in cursor order, each once. Live alerts
// are queued only while they continue the queue without a gap; otherwise (the
// queue is full, or the stream is still replaying) the stream is "lagging"
// and reads the next alerts from the AlertLog on the reader pool. Everything
// up to the published cursor is committed before it is published, so a read
// from the log never misses what the hub announced.
//
// Thread safety: all methods may be called concurrently. Lock order:
// SubscriptionHub::mu_ -> AlertStream::mu_. The sink is called with mu_ held.
#ifndef NW_SERVER_ALERTS_ALERT_STREAM_H_
#define NW_SERVER_ALERTS_ALERT_STREAM_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "newswatch/v1/alert.pb.h"
#include "server/alerts/alert_metrics.h"
#include "server/alerts/replay_gate.h"
#include "server/base/thread_pool.h"
#include "storage/alert_log.h"

namespace nw::alerts {

// What the transport (a gRPC reactor) does for a stream. Both methods are
// called with the stream's mutex held: they must not block or call back into
// the AlertStream synchronously.
class AlertSink {
 public:
  virtual ~AlertSink() = default;
  // Starts sending `alerts` (1 to AlertStreamOptions::max_batch consecutive
  // alerts, in cursor order) as one message; the transport calls
  // AlertStream::OnWriteDone when it is sent. At most one write is outstanding.
  virtual void StartAlertsWrite(std::vector<newswatch::v1::Alert> alerts) = 0;
  // Starts sending a heartbeat carrying the subscriber's last committed
  // cursor; completion is reported through OnWriteDone like an alert's.
  virtual void StartHeartbeatWrite(uint64_t last_cursor) = 0;
  // Ends the stream with `status`. Called at most once.
  virtual void FinishStream(const absl::Status& status) = 0;
};

struct AlertStreamOptions {
  // Live alerts held in memory per stream before it switches to the log.
  // Default: 1024.
  size_t max_queued_alerts = 1024;
  // Alerts read from the log per catch-up read. Default: 256.
  size_t catch_up_batch = 256;
  // Alerts per write: the ready ones go out together, up to this many (a
  // reader catching up or a burst costs one message, not one per alert).
  // Default: 1 (one alert per message).
  size_t max_batch = 1;
  // Replays from the log only while holding a slot of this gate (for one
  // batch at a time); not owned, must outlive the stream. Default: null, no
  // limit.
  ReplayGate* replay_gate = nullptr;
  // Who opened the stream (the call's authorization header value), opaque
  // here: SubscriptionHub::EndStreams hands it to its check, so streams of
  // a revoked token can be ended. Default: empty (no token file).
  std::string credential;
};

// A deque of alerts that holds no memory while empty. An empty std::deque
// allocates its map and first node (about 600 bytes): 6 MB over 10,000 idle
// streams. The deque is freed again whenever the queue empties.
class LazyAlertQueue {
 public:
  bool empty() const { return q_ == nullptr; }
  size_t size() const { return q_ == nullptr ? 0 : q_->size(); }
  newswatch::v1::Alert& front() { return q_->front(); }
  const newswatch::v1::Alert& back() const { return q_->back(); }
  void push_back(newswatch::v1::Alert alert) {
    if (q_ == nullptr)
      q_ = std::make_unique<std::deque<newswatch::v1::Alert>>();
    q_->push_back(std::move(alert));
  }
  void pop_front() {
    q_->pop_front();
    if (q_->empty()) q_.reset();
  }
  void clear() { q_.reset(); }

 private:
  std::unique_ptr<std::deque<newswatch::v1::Alert>> q_;  // null when empty
};

class AlertStream : public std::enable_shared_from_this<AlertStream> {
 public:
  // Streams alerts of `subscriber` with cursor > `after_cursor`. `log` and
  // `reader` must outlive the stream.
  AlertStream(std::string subscriber, uint64_t after_cursor,
              const storage::AlertReader& log, base::ThreadPool& reader,
              AlertStreamOptions options = {});
  // Takes its queued alerts and catch-up state out of the metrics.
  ~AlertStream();

  const std::string& subscriber() const { return subscriber_; }
  // The cursor the client asked to start after (SubscribeRequest.from_cursor).
  uint64_t start_after() const { return start_after_; }
  const std::string& credential() const { return options_.credential; }

  // Transport side.
  // Starts delivery into `sink`; call after SubscriptionHub::Register.
  void Start(AlertSink* sink);
  // The write started by StartAlertWrite finished; `ok` false: the client is
  // gone.
  void OnWriteDone(bool ok);
  // The client went away or the server shuts down: finish as soon as no write
  // is outstanding.
  void Cancel();
  // Ends the stream with `status` (e.g. Unauthenticated after its token was
  // revoked): nothing more is sent; it finishes as soon as no write is
  // outstanding.
  void End(const absl::Status& status);
  // The sink is being destroyed: no call reaches it afterwards.
  void Detach();
  // Sends a heartbeat when the stream is idle (nothing queued or being read,
  // no write outstanding) and nothing was sent for `interval`.
  void MaybeHeartbeat(absl::Time now, absl::Duration interval);

  // Hub side (called with the hub's mutex held).
  // From now on the stream counts what it sends, queues and whether it
  // catches up in `metrics` (which must outlive it). Before SetPublished.
  void AttachMetrics(AlertMetrics* metrics);
  // The subscriber's last committed cursor when the stream registers;
  // with `live_only`, the stream starts after it.
  void SetPublished(uint64_t last_cursor, bool live_only);
  // `alert` was committed; cursors arrive in increasing order.
  void Offer(const newswatch::v1::Alert& alert);
  // The same, taking `alert` instead of copying it when it is queued.
  void Offer(newswatch::v1::Alert&& alert);

 private:
  template <typename A>
  void OfferImpl(A&& alert);
  void PumpLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void FinishLocked(const absl::Status& status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Gives the replay slot back, if the stream holds one.
  void ReleaseSlotLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ReadFromLog(uint64_t after_cursor);
  // queue_ and lagging_ change only through these, which keep the metrics'
  // totals over all streams exact.
  void PushLocked(newswatch::v1::Alert alert)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void PopLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ClearLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SetLaggingLocked(bool lagging) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Constant after construction.
  const std::string subscriber_;
  const uint64_t start_after_;
  const storage::AlertReader& log_;
  base::ThreadPool& reader_;
  const AlertStreamOptions options_;

  absl::Mutex mu_;
  AlertMetrics* metrics_ ABSL_GUARDED_BY(mu_) = nullptr;
  AlertSink* sink_ ABSL_GUARDED_BY(mu_) = nullptr;
  uint64_t next_cursor_ ABSL_GUARDED_BY(mu_);    // the next cursor to send
  uint64_t published_ ABSL_GUARDED_BY(mu_) = 0;  // the last committed cursor
  // Contiguous cursors from next_cursor_ on, when not empty.
  LazyAlertQueue queue_ ABSL_GUARDED_BY(mu_);
  bool lagging_ ABSL_GUARDED_BY(mu_) = false;  // live alerts are not queued
  bool reading_ ABSL_GUARDED_BY(mu_) = false;  // a log read is scheduled
  // Holds a slot of options_.replay_gate (from its read until what it read
  // is written).
  bool has_slot_ ABSL_GUARDED_BY(mu_) = false;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;  // a write is outstanding
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status end_status_ ABSL_GUARDED_BY(mu_);  // set by End
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time last_write_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace nw::alerts

#endif  // NW_SERVER_ALERTS_ALERT_STREAM_H_
