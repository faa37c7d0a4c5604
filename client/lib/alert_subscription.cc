#include "client/lib/alert_subscription.h"

#include <algorithm>
#include <random>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "client/lib/status_convert.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace nw::client {

namespace v1 = ::newswatch::v1;

bool IsPermanentSubscribeError(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kUnimplemented:
    case absl::StatusCode::kFailedPrecondition:
      return true;
    default:
      return false;
  }
}

namespace {

// Alerts per message asked of the server (SubscribeRequest.max_batch).
constexpr uint32_t kSubscribeMaxBatch = 256;

// A fresh channel per attempt, with its own subchannel pool, so that gRPC's
// own reconnect backoff (up to 2 minutes by default) never delays ours.
absl::StatusOr<std::shared_ptr<grpc::Channel>> NewSubscribeChannel(
    const std::string& server, const ChannelSecurity& security,
    absl::Duration max_backoff) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS,
              static_cast<int>(std::max<int64_t>(
                  100, absl::ToInt64Milliseconds(max_backoff))));
  return NewChannel(server, security, args);
}

}  // namespace

AlertSubscription::AlertSubscription(AlertSubscriptionOptions options)
    : options_(std::move(options)),
      last_cursor_(options_.from_cursor),
      live_only_(options_.live_only) {}

AlertSubscription::~AlertSubscription() = default;

uint64_t AlertSubscription::last_cursor() const {
  absl::MutexLock lock(&mu_);
  return last_cursor_;
}

int AlertSubscription::reconnects() const {
  absl::MutexLock lock(&mu_);
  return reconnects_;
}

void AlertSubscription::Stop() {
  absl::MutexLock lock(&mu_);
  stopping_ = true;
  if (context_ != nullptr) context_->TryCancel();
}

std::string AlertSubscription::Server() const {
  return options_.server_provider ? options_.server_provider()
                                  : options_.server;
}

absl::Status AlertSubscription::Run(const AlertCallback& on_alert) {
  if (options_.subscriber.empty() && options_.security.token.empty()) {
    return absl::InvalidArgumentError(
        "a subscription needs a subscriber (or an analyst token)");
  }
  {
    absl::MutexLock lock(&mu_);
    running_ = true;
  }
  std::thread watchdog;
  if (options_.idle_timeout > absl::ZeroDuration()) {
    watchdog = std::thread([this] { Watchdog(); });
  }
  absl::Status result;
  absl::Duration backoff = options_.initial_backoff;
  int failures = 0;
  bool first = true;
  while (true) {
    if (!first) {
      absl::MutexLock lock(&mu_);
      ++reconnects_;
    }
    first = false;
    AttemptResult attempt = Attempt(on_alert);
    if (attempt.outcome == Outcome::kStopped) break;
    if (attempt.outcome == Outcome::kPermanent) {
      result = attempt.status;
      break;
    }
    if (attempt.delivered_anything) {
      backoff = options_.initial_backoff;
      failures = 0;
    }
    ++failures;
    const absl::Duration delay = NextDelay(backoff);
    backoff = std::min(backoff * 2, options_.max_backoff);
    if (on_reconnect_) on_reconnect_({attempt.status, delay, failures});
    if (SleepUnlessStopped(delay)) break;
  }
  {
    absl::MutexLock lock(&mu_);
    running_ = false;
  }
  if (watchdog.joinable()) watchdog.join();
  return result;
}

bool AlertSubscription::WaitForConnection(grpc::Channel& channel) {
  const absl::Time give_up = absl::Now() + absl::Seconds(20);
  grpc_connectivity_state state = channel.GetState(/*try_to_connect=*/true);
  while (state == GRPC_CHANNEL_IDLE || state == GRPC_CHANNEL_CONNECTING) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return false;
    }
    if (absl::Now() >= give_up) return false;
    // Short slices, so that Stop() is noticed.
    channel.WaitForStateChange(
        state, absl::ToChronoTime(absl::Now() + absl::Milliseconds(100)));
    state = channel.GetState(/*try_to_connect=*/true);
  }
  return state == GRPC_CHANNEL_READY;
}

AlertSubscription::AttemptResult AlertSubscription::Attempt(
    const AlertCallback& on_alert) {
  const std::string server = Server();
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      NewSubscribeChannel(server, options_.security, options_.max_backoff);
  // A TLS file that cannot be read will not be readable on a retry either.
  if (!channel.ok()) return {Outcome::kPermanent, channel.status()};
  if (WaitForConnection(**channel) && on_connected_) on_connected_(server);
  auto stub = v1::AlertService::NewStub(*channel);
  grpc::ClientContext context;
  v1::SubscribeRequest request;
  request.set_subscriber(options_.subscriber);
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return {Outcome::kStopped, absl::OkStatus()};
    request.set_from_cursor(last_cursor_);
    request.set_live_only(live_only_);
    // Alerts that are ready together arrive as one message.
    request.set_max_batch(kSubscribeMaxBatch);
    context_ = &context;
    last_activity_ = absl::Now();
    idle_cancelled_ = false;
  }
  std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader =
      stub->Subscribe(&context, request);
  v1::SubscribeResponse response;
  bool delivered_anything = false;
  bool caller_stopped = false;
  while (!caller_stopped && reader->Read(&response)) {
    delivered_anything = true;
    uint64_t last;
    {
      absl::MutexLock lock(&mu_);
      last_activity_ = absl::Now();
      if (live_only_) {
        // The stream is open: from now on resume by cursor. The first
        // heartbeat of a live-only stream carries the newest cursor.
        live_only_ = false;
        if (response.has_heartbeat()) {
          last_cursor_ = response.heartbeat().last_cursor();
        } else if (response.has_alert()) {
          last_cursor_ = response.alert().cursor() - 1;
        } else if (response.has_batch() && !response.batch().alerts().empty()) {
          last_cursor_ = response.batch().alerts(0).cursor() - 1;
        }
      }
      last = last_cursor_;
    }
    // Heartbeats: liveness only. A batch is consecutive alerts in cursor order.
    const v1::Alert* single =
        response.has_alert() ? &response.alert() : nullptr;
    const int count = single != nullptr ? 1 : response.batch().alerts_size();
    for (int i = 0; i < count && !caller_stopped; ++i) {
      const v1::Alert& alert =
          single != nullptr ? *single : response.batch().alerts(i);
      if (alert.cursor() <= last) continue;  // never hand one over twice
      if (!on_alert(alert)) {
        caller_stopped = true;
        break;
      }
      absl::MutexLock lock(&mu_);
      last_cursor_ = last = alert.cursor();
    }
  }
  if (caller_stopped) {
    context.TryCancel();
    while (reader->Read(&response)) {
    }
  }
  const absl::Status status = FromGrpcStatus(reader->Finish());
  bool stopping;
  bool idle;
  {
    absl::MutexLock lock(&mu_);
    context_ = nullptr;
    if (caller_stopped) stopping_ = true;
    stopping = stopping_;
    idle = idle_cancelled_;
  }
  if (stopping) return {Outcome::kStopped, absl::OkStatus()};
  if (IsPermanentSubscribeError(status)) {
    return {Outcome::kPermanent, status, delivered_anything};
  }
  absl::Status cause = status;
  if (idle) {
    cause = absl::DeadlineExceededError(
        absl::StrCat("no alert or heartbeat for ",
                     absl::FormatDuration(options_.idle_timeout)));
  } else if (status.ok()) {
    cause = absl::UnavailableError("the server ended the stream");
  }
  return {Outcome::kRetry, cause, delivered_anything};
}

void AlertSubscription::Watchdog() {
  absl::MutexLock lock(&mu_);
  auto done = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stopping_ || !running_;
  };
  while (!done()) {
    const absl::Time deadline = last_activity_ + options_.idle_timeout;
    if (context_ != nullptr && !idle_cancelled_ && absl::Now() >= deadline) {
      idle_cancelled_ = true;
      context_->TryCancel();
    }
    const absl::Time wake =
        std::min(std::max(deadline, absl::Now() + absl::Milliseconds(10)),
                 absl::Now() + absl::Milliseconds(500));
    mu_.AwaitWithDeadline(absl::Condition(&done), wake);
  }
}

bool AlertSubscription::SleepUnlessStopped(absl::Duration delay) {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(&stopping_), delay);
  return stopping_;
}

absl::Duration AlertSubscription::NextDelay(absl::Duration base) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const double j = std::clamp(options_.jitter, 0.0, 1.0);
  std::uniform_real_distribution<double> factor(1.0 - j, 1.0 + j);
  return base * factor(rng);
}

}  // namespace nw::client
