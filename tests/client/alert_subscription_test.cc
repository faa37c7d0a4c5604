// AlertSubscription against the real newswatchd: exact resume across daemon
// restarts (clean and SIGKILL, new port and same port), live-only start,
// permanent errors, backoff that Stop() interrupts, and (on a stand-in
// server, the one place the daemon cannot serve) idle-stream detection.
#include "client/lib/alert_subscription.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "tests/client/daemon_fixture.h"
#include "tests/testutil/status_matchers.h"

namespace nw::client {
namespace {

using ::nw::testing::IsOk;

using ::testing::HasSubstr;

// A port that was free a moment ago (for daemons restarted on the same port).
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return 0;
  }
  close(fd);
  return ntohs(addr.sin_port);
}

// Runs an AlertSubscription on its own thread and records what it delivers.
class Recorder {
 public:
  explicit Recorder(AlertSubscriptionOptions options)
      : subscription_(std::move(options)) {
    thread_ = std::thread([this] {
      absl::Status s = subscription_.Run([this](const v1::Alert& alert) {
        absl::MutexLock lock(&mu_);
        alerts_.push_back(alert);
        return true;
      });
      absl::MutexLock lock(&mu_);
      result_ = s;
      done_ = true;
    });
  }
  ~Recorder() {
    subscription_.Stop();
    thread_.join();
  }

  // Waits (up to 30 s) until `n` alerts arrived; returns how many did.
  size_t WaitFor(size_t n) {
    absl::MutexLock lock(&mu_);
    auto enough = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return alerts_.size() >= n || done_;
    };
    mu_.AwaitWithTimeout(absl::Condition(&enough), absl::Seconds(30));
    return alerts_.size();
  }
  // Waits (up to 30 s) for Run() to return; its status.
  absl::Status WaitDone() {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&done_), absl::Seconds(30));
    return done_ ? result_ : absl::DeadlineExceededError("Run() still running");
  }
  std::vector<uint64_t> Cursors() {
    absl::MutexLock lock(&mu_);
    std::vector<uint64_t> cursors;
    for (const v1::Alert& a : alerts_) cursors.push_back(a.cursor());
    return cursors;
  }
  std::vector<std::string> ArticleIds() {
    absl::MutexLock lock(&mu_);
    std::vector<std::string> ids;
    for (const v1::Alert& a : alerts_) ids.push_back(a.article_id());
    return ids;
  }
  AlertSubscription& subscription() { return subscription_; }

 private:
  AlertSubscription subscription_;
  absl::Mutex mu_;
  std::vector<v1::Alert> alerts_ ABSL_GUARDED_BY(mu_);
  absl::Status result_ ABSL_GUARDED_BY(mu_);
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

std::vector<uint64_t> Iota(uint64_t from, uint64_t to) {
  std::vector<uint64_t> v;
  for (uint64_t c = from; c <= to; ++c) v.push_back(c);
  return v;
}

class AlertSubscriptionTest : public DaemonTest {
 protected:
  // Fast backoff; the address comes from the current daemon (its port
  // changes on every restart).
  AlertSubscriptionOptions Options(const std::string& subscriber) {
    AlertSubscriptionOptions options;
    options.server_provider = [this] {
      absl::MutexLock lock(&address_mu_);
      return address_;
    };
    options.subscriber = subscriber;
    options.initial_backoff = absl::Milliseconds(20);
    options.max_backoff = absl::Milliseconds(300);
    return options;
  }
  void Restart(const std::vector<std::string>& flags = {}) {
    ASSERT_NO_FATAL_FAILURE(StartDaemon(flags));
    absl::MutexLock lock(&address_mu_);
    address_ = daemon_->address();
  }

  absl::Mutex address_mu_;
  std::string address_ ABSL_GUARDED_BY(address_mu_);
};

// Verifies that a subscription resumes exactly after a clean restart and
// after a SIGKILL (the daemon comes back on another port each time): every
// alert once, in cursor order, including those made while it was away.
TEST_F(AlertSubscriptionTest, ResumesExactlyAcrossDaemonRestarts) {
  ASSERT_NO_FATAL_FAILURE(Restart());
  ASSERT_NO_FATAL_FAILURE(AddRule("desk", "pipeline"));
  ASSERT_EQ(SubmitAll(PipelineArticles("a", 40)), 40u);
  Recorder recorder(Options("desk"));
  ASSERT_EQ(recorder.WaitFor(40), 40u);

  ASSERT_THAT(daemon_->Stop(), IsOk());
  ASSERT_NO_FATAL_FAILURE(Restart());
  ASSERT_EQ(SubmitAll(PipelineArticles("b", 40)), 40u);
  ASSERT_EQ(recorder.WaitFor(80), 80u);

  daemon_->Kill();
  ASSERT_NO_FATAL_FAILURE(Restart());
  ASSERT_EQ(SubmitAll(PipelineArticles("c", 40)), 40u);
  ASSERT_EQ(recorder.WaitFor(120), 120u);
  // Nothing extra trickles in.
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_EQ(recorder.Cursors(), Iota(1, 120));
  const std::vector<std::string> ids = recorder.ArticleIds();
  EXPECT_EQ(ids[0], "a-0");
  EXPECT_EQ(ids[40], "b-0");
  EXPECT_EQ(ids[119], "c-39");
  EXPECT_GE(recorder.subscription().reconnects(), 2);
  EXPECT_EQ(recorder.subscription().last_cursor(), 120u);
}

// Verifies the same over a daemon restarted on a fixed port (--listen given
// again overrides the harness's port 0), with articles submitted while the
// subscription is between attempts.
TEST_F(AlertSubscriptionTest, ResumesOnTheSamePort) {
  const int port = FreePort();
  ASSERT_NE(port, 0);
  const std::string listen = "--listen=127.0.0.1:" + std::to_string(port);
  ASSERT_NO_FATAL_FAILURE(StartDaemon({listen}));
  ASSERT_EQ(daemon_->port(), port);
  ASSERT_NO_FATAL_FAILURE(AddRule("desk", "pipeline"));
  AlertSubscriptionOptions options;
  options.server = daemon_->address();
  options.subscriber = "desk";
  options.from_cursor = 5;  // resume from a cursor given at start
  options.initial_backoff = absl::Milliseconds(20);
  options.max_backoff = absl::Milliseconds(200);
  ASSERT_EQ(SubmitAll(PipelineArticles("a", 10)), 10u);
  Recorder recorder(options);
  ASSERT_EQ(recorder.WaitFor(5), 5u);
  for (int round = 0; round < 3; ++round) {
    daemon_->Kill();
    ASSERT_NO_FATAL_FAILURE(StartDaemon({listen}));
    ASSERT_EQ(SubmitAll(PipelineArticles("r" + std::to_string(round), 10)),
              10u);
  }
  ASSERT_EQ(recorder.WaitFor(35), 35u);
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_EQ(recorder.Cursors(), Iota(6, 40));
}

// Verifies that a live-only subscription skips stored alerts, then resumes
// by cursor after a restart (not live-only again: nothing is lost).
TEST_F(AlertSubscriptionTest, LiveOnlyThenResumesByCursor) {
  ASSERT_NO_FATAL_FAILURE(Restart());
  ASSERT_NO_FATAL_FAILURE(AddRule("desk", "pipeline"));
  ASSERT_EQ(SubmitAll(PipelineArticles("old", 3)), 3u);
  AlertSubscriptionOptions options = Options("desk");
  options.live_only = true;
  Recorder recorder(options);
  // The opening heartbeat moves the cursor to the newest alert.
  for (int i = 0; i < 300 && recorder.subscription().last_cursor() != 3; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_EQ(recorder.subscription().last_cursor(), 3u);
  ASSERT_EQ(SubmitAll(PipelineArticles("new", 2)), 2u);
  ASSERT_EQ(recorder.WaitFor(2), 2u);
  ASSERT_THAT(daemon_->Stop(), IsOk());
  ASSERT_NO_FATAL_FAILURE(Restart());
  ASSERT_EQ(SubmitAll(PipelineArticles("after", 2)), 2u);
  ASSERT_EQ(recorder.WaitFor(4), 4u);
  EXPECT_EQ(recorder.Cursors(), Iota(4, 7));
}

// Verifies that OUT_OF_RANGE (cursor older than retention) ends Run() with
// the daemon's message, without retrying.
TEST_F(AlertSubscriptionTest, OutOfRangeIsNotRetried) {
  ASSERT_NO_FATAL_FAILURE(Restart());
  ASSERT_NO_FATAL_FAILURE(AddRule("desk", "pipeline"));
  ASSERT_EQ(SubmitAll(PipelineArticles("a", 3)), 3u);
  ASSERT_THAT(daemon_->Stop(), IsOk());
  absl::SleepFor(absl::Milliseconds(20));
  ASSERT_NO_FATAL_FAILURE(Restart({"--retention=10ms"}));
  // Retention runs at start, on its own thread: wait until it has.
  absl::Status probe;
  for (int i = 0; i < 100; ++i) {
    v1::SubscribeRequest request;
    request.set_subscriber("desk");
    request.set_from_cursor(1);
    probe = client_->Subscribe(
        request, [](const v1::SubscribeResponse&) { return false; });
    if (absl::IsOutOfRange(probe)) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_TRUE(absl::IsOutOfRange(probe)) << probe;

  AlertSubscriptionOptions options = Options("desk");
  options.from_cursor = 1;
  Recorder recorder(options);
  absl::Status status = recorder.WaitDone();
  EXPECT_TRUE(absl::IsOutOfRange(status)) << status;
  EXPECT_EQ(status.message(), probe.message());
  EXPECT_EQ(recorder.subscription().reconnects(), 0);
  EXPECT_TRUE(recorder.Cursors().empty());
}

// Verifies that a subscription without a subscriber fails at once.
TEST(AlertSubscriptionOptionsTest, NeedsSubscriber) {
  AlertSubscription subscription(AlertSubscriptionOptions{});
  absl::Status status = subscription.Run([](const v1::Alert&) { return true; });
  EXPECT_TRUE(absl::IsInvalidArgument(status)) << status;
}

// Verifies that with no daemon the waits double (with jitter) up to the cap,
// and that Stop() ends Run() during a wait.
TEST(AlertSubscriptionBackoffTest, BacksOffAndStops) {
  AlertSubscriptionOptions options;
  options.server = "127.0.0.1:1";
  options.subscriber = "desk";
  options.initial_backoff = absl::Milliseconds(10);
  options.max_backoff = absl::Milliseconds(40);
  options.jitter = 0.2;
  AlertSubscription subscription(options);
  std::vector<ReconnectEvent> events;
  subscription.OnReconnect([&](const ReconnectEvent& event) {
    events.push_back(event);
    if (events.size() == 5) subscription.Stop();
  });
  absl::Status status = subscription.Run([](const v1::Alert&) { return true; });
  EXPECT_THAT(status, IsOk());
  ASSERT_EQ(events.size(), 5u);
  const int expected_ms[] = {10, 20, 40, 40, 40};
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(events[i].attempt, i + 1);
    EXPECT_TRUE(absl::IsUnavailable(events[i].cause)) << events[i].cause;
    EXPECT_GE(events[i].delay, absl::Milliseconds(expected_ms[i] * 0.8 - 1));
    EXPECT_LE(events[i].delay, absl::Milliseconds(expected_ms[i] * 1.2 + 1));
  }
}

// Verifies that Stop() from another thread ends a long backoff wait promptly.
TEST(AlertSubscriptionBackoffTest, StopInterruptsWait) {
  AlertSubscriptionOptions options;
  options.server = "127.0.0.1:1";
  options.subscriber = "desk";
  options.initial_backoff = absl::Seconds(60);
  options.max_backoff = absl::Seconds(60);
  AlertSubscription subscription(options);
  absl::Notification waiting;
  subscription.OnReconnect([&](const ReconnectEvent&) { waiting.Notify(); });
  std::thread stopper([&] {
    waiting.WaitForNotification();
    subscription.Stop();
  });
  const absl::Time start = absl::Now();
  absl::Status status = subscription.Run([](const v1::Alert&) { return true; });
  stopper.join();
  EXPECT_THAT(status, IsOk());
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
}

// Verifies that a callback returning false ends Run() with OK and leaves the
// cursor at the last consumed alert.
TEST_F(AlertSubscriptionTest, CallbackStops) {
  ASSERT_NO_FATAL_FAILURE(Restart());
  ASSERT_NO_FATAL_FAILURE(AddRule("desk", "pipeline"));
  ASSERT_EQ(SubmitAll(PipelineArticles("a", 5)), 5u);
  AlertSubscription subscription(Options("desk"));
  int seen = 0;
  absl::Status status =
      subscription.Run([&](const v1::Alert&) { return ++seen < 3; });
  EXPECT_THAT(status, IsOk());
  EXPECT_EQ(seen, 3);
  EXPECT_EQ(subscription.last_cursor(), 2u);
}

// An AlertService whose first stream stays silent (a hung daemon or a dead
// network path the kernel has not noticed); later ones deliver one alert.
// The real daemon always sends heartbeats, so only a stand-in can be silent.
class SilentOnceAlertService final : public v1::AlertService::Service {
 public:
  grpc::Status Subscribe(
      grpc::ServerContext* context, const v1::SubscribeRequest* request,
      grpc::ServerWriter<v1::SubscribeResponse>* writer) override {
    if (calls_++ == 0) {
      while (!context->IsCancelled()) absl::SleepFor(absl::Milliseconds(5));
      return grpc::Status::CANCELLED;
    }
    v1::SubscribeResponse response;
    response.mutable_alert()->set_cursor(request->from_cursor() + 1);
    writer->Write(response);
    while (!context->IsCancelled()) absl::SleepFor(absl::Milliseconds(5));
    return grpc::Status::OK;
  }

 private:
  std::atomic<int> calls_{0};
};

// Verifies that a stream silent for longer than idle_timeout (no alert, no
// heartbeat) is treated as dead and reconnected.
TEST(AlertSubscriptionIdleTest, SilentStreamIsReconnected) {
  SilentOnceAlertService service;
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(port, 0);

  AlertSubscriptionOptions options;
  options.server = "127.0.0.1:" + std::to_string(port);
  options.subscriber = "desk";
  options.from_cursor = 41;
  options.idle_timeout = absl::Milliseconds(200);
  options.initial_backoff = absl::Milliseconds(10);
  AlertSubscription subscription(options);
  std::vector<ReconnectEvent> events;
  subscription.OnReconnect(
      [&](const ReconnectEvent& event) { events.push_back(event); });
  std::vector<uint64_t> cursors;
  const absl::Time start = absl::Now();
  absl::Status status = subscription.Run([&](const v1::Alert& alert) {
    cursors.push_back(alert.cursor());
    return false;  // one is enough
  });
  EXPECT_THAT(status, IsOk());
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(200));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_TRUE(absl::IsDeadlineExceeded(events[0].cause)) << events[0].cause;
  EXPECT_THAT(std::string(events[0].cause.message()),
              HasSubstr("no alert or heartbeat"));
  EXPECT_EQ(cursors, std::vector<uint64_t>{42});
  server->Shutdown(absl::ToChronoTime(absl::Now()));
}

}  // namespace
}  // namespace nw::client
