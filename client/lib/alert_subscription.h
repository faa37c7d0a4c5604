// File: client/lib/alert_subscription.h
//
// AlertSubscription: a subscriber's alert stream that survives failures. It
// remembers the cursor of the last alert it handed to the caller and, when
// the stream breaks (daemon restarted, network lost, UNAVAILABLE, a stream
// silent for longer than `idle_timeout`), reconnects with exponential backoff
// and jitter and resumes with from_cursor = that cursor: no alert is skipped
// and none is handed over twice.
//
// Errors that a retry cannot fix end Run(): OUT_OF_RANGE (the cursor is older
// than the daemon's retention), INVALID_ARGUMENT, NOT_FOUND,
// PERMISSION_DENIED, UNAUTHENTICATED, UNIMPLEMENTED, FAILED_PRECONDITION.
// Everything else is retried.
//
// Example:
//   AlertSubscription sub({.server = "127.0.0.1:7373", .subscriber = "energy",
//                          .from_cursor = saved});
//   absl::Status s = sub.Run([&](const v1::Alert& a) { Print(a); return true;
//   });
//   // From another thread: sub.Stop();
//
// Thread safety: Run() is called by one thread at a time; Stop(),
// last_cursor() and reconnects() may be called from any thread.
#ifndef NW_CLIENT_LIB_ALERT_SUBSCRIPTION_H_
#define NW_CLIENT_LIB_ALERT_SUBSCRIPTION_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "client/lib/channel.h"
#include "newswatch/v1/alert_service.grpc.pb.h"

namespace grpc {
class ClientContext;
}  // namespace grpc

namespace nw::client {

struct AlertSubscriptionOptions {
  // host:port of newswatchd. Default: "127.0.0.1:7373". Ignored when
  // `server_provider` is set.
  std::string server = "127.0.0.1:7373";
  // Asked for the address before every (re)connect, e.g. when the daemon may
  // come back on another port. Default: none (use `server`).
  std::function<std::string()> server_provider;
  // TLS and bearer token of every (re)connect. Default: plaintext, no token.
  ChannelSecurity security;
  // Whose alerts. Required, except with an analyst token: empty means its
  // subscriber.
  std::string subscriber;
  // The last cursor already seen: alerts after it are delivered. Default: 0
  // (every stored alert).
  uint64_t from_cursor = 0;
  // Skip stored alerts on the first connect; once the stream is open the
  // subscription resumes by cursor like any other. Default: false.
  bool live_only = false;
  // Wait before the first reconnect; doubled after each failed attempt up to
  // `max_backoff`, and reset once a stream delivers anything. Each wait is
  // randomized by +-`jitter` (a fraction). Defaults: 100 ms, 5 s, 0.2.
  absl::Duration initial_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(5);
  double jitter = 0.2;
  // A stream that delivers nothing (no alert, no heartbeat) for this long is
  // treated as dead and reconnected. Keep it well above the daemon's
  // heartbeat interval (15 s by default). Zero: never. Default: 45 s.
  absl::Duration idle_timeout = absl::Seconds(45);
};

// What OnReconnect reports: why the last stream ended, how long the
// subscription waits before the next attempt, and how many attempts in a row
// failed so far.
struct ReconnectEvent {
  absl::Status cause;
  absl::Duration delay;
  int attempt = 0;
};

class AlertSubscription {
 public:
  // Returns false to stop: Run() then returns OK.
  using AlertCallback = std::function<bool(const newswatch::v1::Alert& alert)>;
  using ReconnectCallback = std::function<void(const ReconnectEvent& event)>;

  explicit AlertSubscription(AlertSubscriptionOptions options);
  AlertSubscription(const AlertSubscription&) = delete;
  AlertSubscription& operator=(const AlertSubscription&) = delete;
  ~AlertSubscription();

  // Called (on Run()'s thread) before each backoff wait. Set before Run().
  void OnReconnect(ReconnectCallback callback) {
    on_reconnect_ = std::move(callback);
  }
  // Called (on Run()'s thread) each time a connection to the server is up,
  // before the Subscribe call goes out on it, with the server's address.
  // Set before Run().
  using ConnectedCallback = std::function<void(const std::string& server)>;
  void OnConnected(ConnectedCallback callback) {
    on_connected_ = std::move(callback);
  }

  // Streams alerts to `on_alert`, in cursor order and each once, on the
  // calling thread, reconnecting as needed. Returns OK after Stop() or when
  // `on_alert` returned false; the permanent error otherwise (e.g.
  // OutOfRange with the daemon's message); InvalidArgument at once without a
  // subscriber or a token. A callback that returns true has consumed the alert:
  // its cursor becomes last_cursor().
  absl::Status Run(const AlertCallback& on_alert);

  // Ends Run() soon (cancels the stream, interrupts a backoff wait). Also
  // effective when called before Run(). Idempotent.
  void Stop();

  // The cursor of the last alert delivered (or the starting cursor).
  uint64_t last_cursor() const;
  // Streams opened after the first one.
  int reconnects() const;

 private:
  enum class Outcome { kStopped, kRetry, kPermanent };
  struct AttemptResult {
    Outcome outcome;
    absl::Status status;
    bool delivered_anything = false;  // any alert or heartbeat
  };

  AttemptResult Attempt(const AlertCallback& on_alert);
  // Waits (up to 20 s) for `channel` to connect or fail; false when it did
  // not connect (the call then fails with gRPC's reason) or Stop() came.
  bool WaitForConnection(grpc::Channel& channel);
  // Cancels the current stream if it has been silent past idle_timeout, or
  // when stopping; runs on the watchdog thread.
  void Watchdog();
  // Waits `delay` or until Stop(); true when stopped.
  bool SleepUnlessStopped(absl::Duration delay);
  absl::Duration NextDelay(absl::Duration base);
  std::string Server() const;

  const AlertSubscriptionOptions options_;
  ReconnectCallback on_reconnect_;
  ConnectedCallback on_connected_;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool running_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
  absl::Time last_activity_ ABSL_GUARDED_BY(mu_);
  bool idle_cancelled_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t last_cursor_ ABSL_GUARDED_BY(mu_);
  bool live_only_ ABSL_GUARDED_BY(mu_);
  int reconnects_ ABSL_GUARDED_BY(mu_) = 0;
};

// True for the codes a reconnect cannot fix (see the file comment).
bool IsPermanentSubscribeError(const absl::Status& status);

}  // namespace nw::client

#endif  // NW_CLIENT_LIB_ALERT_SUBSCRIPTION_H_
