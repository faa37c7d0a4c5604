// File: server/api/alert_api.h
//
// A caller's access to alert logs, free of any transport: opening a live
// stream (gRPC Subscribe and the web console's Server-Sent Events both use
// Open) and reading stored alerts (history pages, export).
//
// Thread safety: all methods may be called concurrently.
#ifndef NW_SERVER_API_ALERT_API_H_
#define NW_SERVER_API_ALERT_API_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "newswatch/v1/alert.pb.h"
#include "server/alerts/alert_stream.h"
#include "server/alerts/replay_gate.h"
#include "server/alerts/subscription_hub.h"
#include "server/auth/principal.h"
#include "server/base/thread_pool.h"
#include "storage/alert_log.h"

namespace nw::api {

struct StreamRequest {
  std::string subscriber;  // empty: the analyst's own
  uint64_t after_cursor = 0;
  bool live_only = false;
  uint32_t max_batch = 1;  // 0 or 1: one alert per write; at most 1024
  // The bearer token the stream was opened with; the hub ends the stream
  // when that token is revoked (alerts::AlertStreamOptions::credential).
  std::string credential;
};

// What Open admits, and how replay is paced.
struct StreamLimits {
  // Streams in all (gRPC and web together); more get ResourceExhausted.
  size_t max_streams = SIZE_MAX;
  // Streams of one subscriber; more get ResourceExhausted.
  size_t max_streams_per_subscriber = SIZE_MAX;
  // Paces replay from the log (alerts/replay_gate.h); null: unpaced.
  alerts::ReplayGate* replay_gate = nullptr;
};

class AlertApi {
 public:
  // Streams past `limits` are refused. References (and the replay gate)
  // must outlive the AlertApi.
  AlertApi(alerts::SubscriptionHub& hub, const storage::AlertReader& log,
           base::ThreadPool& readers, StreamLimits limits)
      : hub_(hub), log_(log), readers_(readers), limits_(limits) {}

  // A stream registered with the hub, not started: the transport calls
  // AlertStream::Start with its sink, and Close when it is done. Errors:
  // InvalidArgument (no subscriber, max_batch too big), PermissionDenied (not
  // the caller's subscriber), ResourceExhausted (too many streams),
  // OutOfRange (a cursor the subscriber never had).
  absl::StatusOr<std::shared_ptr<alerts::AlertStream>> Open(
      const auth::Principal& caller, const StreamRequest& request);
  // Unregisters a stream from Open.
  void Close(const std::shared_ptr<alerts::AlertStream>& stream);

  // Up to `limit` (1..500) stored alerts of the subscriber with cursor <
  // `before` (0: the newest), newest first. Errors as Open, plus storage
  // errors.
  absl::StatusOr<std::vector<newswatch::v1::Alert>> History(
      const auth::Principal& caller, std::string subscriber, uint64_t before,
      uint32_t limit) const;

  // Up to `max` stored alerts with cursor > `after`, oldest first
  // (AlertLog::ReadAfter) for a subscriber already resolved.
  absl::StatusOr<std::vector<newswatch::v1::Alert>> ReadAfter(
      const std::string& subscriber, uint64_t after, size_t max) const {
    return log_.ReadAfter(subscriber, after, max);
  }

 private:
  alerts::SubscriptionHub& hub_;
  const storage::AlertReader& log_;
  base::ThreadPool& readers_;
  const StreamLimits limits_;
};

}  // namespace nw::api

#endif  // NW_SERVER_API_ALERT_API_H_
