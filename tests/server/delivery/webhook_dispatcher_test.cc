// WebhookDispatcher against a real receiver on 127.0.0.1
// (tests/delivery/webhook_receiver.py): order, signatures, retries of the
// same cursor, pause after a bounded time (injected clock), restart from the
// durable cursor, a stalled endpoint not holding up another.
#include "server/delivery/webhook_dispatcher.h"

#include <set>

#include "gmock/gmock.h"
#include "nlohmann/json.hpp"
#include "server/base/clock.h"
#include "tests/server/delivery/delivery_fixture.h"
#include "tests/testutil/status_matchers.h"

namespace nw::delivery {
namespace {

using ::nw::testing::IsOk;

using ::newswatch::v1::Webhook;
using Json = nlohmann::json;

constexpr char kSecret[] = "test-secret";

using Receiver = ::nw::testing::WebhookReceiver;

class WebhookDispatcherTest : public DeliveryTest {
 protected:
  std::unique_ptr<WebhookDispatcher> Start(const base::Clock& clock) {
    metrics_ = std::make_unique<metrics::Registry>();
    auto d =
        WebhookDispatcher::Start(*db_, *log_, clock,
                                 {.retry = {.initial = absl::Milliseconds(10),
                                            .max = absl::Milliseconds(50),
                                            .pause_after = absl::Hours(1)},
                                  .request_timeout = absl::Seconds(2),
                                  .poll_interval = absl::Milliseconds(20),
                                  .queue_limit = 4,
                                  .allow_private = true,
                                  .metrics = metrics_.get()});
    EXPECT_THAT(d, IsOk());
    return d.ok() ? *std::move(d) : nullptr;
  }
  std::string Log(const std::string& name) {
    return absl::StrCat(dir_.path(), "/", name);
  }
  Webhook Get(WebhookDispatcher& d, const std::string& id) {
    absl::StatusOr<Webhook> hook = d.Get(id);
    EXPECT_THAT(hook, IsOk());
    return hook.ok() ? *hook : Webhook();
  }

  base::RealClock real_clock_;
  std::unique_ptr<metrics::Registry> metrics_;
};

// Verifies exactly the subscriber's alerts arrive, in cursor order, signed,
// with the cursor as Idempotency-Key and the self-contained alert as body,
// and that List shows the progress (and no secret).
TEST_F(WebhookDispatcherTest, DeliversSubscribersAlertsInOrderSigned) {
  Receiver receiver(kSecret, Log("r.jsonl"));
  auto d = Start(real_clock_);
  AddAlert({"other"}, absl::Now());
  auto added = d->Add("desk", receiver.url(), kSecret, 0);
  ASSERT_THAT(added, IsOk());
  EXPECT_TRUE(added->generated_secret.empty());
  for (int i = 0; i < 10; ++i) AddAlert({"desk", "other"}, absl::Now());
  ASSERT_TRUE(Eventually([&] { return receiver.Accepted().size() >= 10; }));
  EXPECT_THAT(receiver.Accepted(),
              ::testing::ElementsAre(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
  for (const Json& r : receiver.Requests()) {
    EXPECT_TRUE(r["sig_ok"].get<bool>());
    EXPECT_EQ(r["subscriber"], "desk");
    EXPECT_EQ(r["idempotency_key"], std::to_string(r["cursor"].get<int>()));
    EXPECT_EQ(r["alert"]["subscriber"], "desk");
    EXPECT_EQ(r["alert"]["cursor"], std::to_string(r["cursor"].get<int>()));
    EXPECT_EQ(r["alert"]["matches"][0]["label"], "Label desk");
    EXPECT_FALSE(r["alert"]["url"].get<std::string>().empty());
    EXPECT_FALSE(r["alert"]["matches"][0]["snippets"].empty());
  }
  ASSERT_TRUE(Eventually(
      [&] { return Get(*d, added->webhook.id()).delivered_cursor() == 10; }));
  auto listed = d->List("desk");
  ASSERT_THAT(listed, IsOk());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].state(), Webhook::ACTIVE);
  EXPECT_EQ((*listed)[0].last_cursor(), 10u);
  EXPECT_EQ((*listed)[0].DebugString().find(kSecret), std::string::npos);
  EXPECT_TRUE(d->List("other")->empty());
  const std::string metrics = metrics_->Render();
  EXPECT_THAT(metrics,
              ::testing::HasSubstr(
                  "newswatch_webhook_deliveries_total{hook=\"h-1\"} 10"));
  EXPECT_THAT(metrics, ::testing::HasSubstr(
                           "newswatch_webhook_lag_alerts{hook=\"h-1\"} 0"));
}

// Verifies failures (5xx, 429) are retried with the same cursor, the state
// and last error show it, and delivery goes on in order once it recovers.
TEST_F(WebhookDispatcherTest, RetriesSameCursorUntilAccepted) {
  Receiver receiver(kSecret, Log("r.jsonl"));
  receiver.SetMode("fail");
  auto d = Start(real_clock_);
  auto added = d->Add("desk", receiver.url(), kSecret, std::nullopt);
  ASSERT_THAT(added, IsOk());
  AddAlert({"desk"}, absl::Now());
  AddAlert({"desk"}, absl::Now());
  ASSERT_TRUE(Eventually([&] { return receiver.Requests().size() >= 3; }));
  const Webhook failing = Get(*d, added->webhook.id());
  EXPECT_EQ(failing.state(), Webhook::RETRYING);
  EXPECT_EQ(failing.last_error(), "HTTP 500");
  EXPECT_TRUE(failing.has_failing_since());
  receiver.SetMode("busy");
  const size_t before_busy = receiver.Requests().size();
  ASSERT_TRUE(Eventually(
      [&] { return receiver.Requests().size() >= before_busy + 2; }));
  receiver.SetMode("ok");
  ASSERT_TRUE(Eventually([&] { return receiver.Accepted().size() >= 2; }));
  std::vector<Json> requests = receiver.Requests();
  // Every attempt before the first success was for cursor 1.
  for (const Json& r : requests) {
    if (r["status"] == 200) break;
    EXPECT_EQ(r["cursor"], 1);
  }
  EXPECT_THAT(receiver.Accepted(), ::testing::ElementsAre(1, 2));
  ASSERT_TRUE(Eventually([&] {
    const Webhook h = Get(*d, added->webhook.id());
    return h.delivered_cursor() == 2 && h.state() == Webhook::ACTIVE &&
           h.last_error().empty();
  }));
}

// Verifies a webhook failing for pause_after (moved on the injected clock)
// is paused, stays paused across a restart, and delivers from where it
// stopped once resumed.
TEST_F(WebhookDispatcherTest, PausedAfterBoundedTimeThenResumed) {
  Receiver receiver(kSecret, Log("r.jsonl"));
  receiver.SetMode("fail");
  base::FakeClock clock(absl::FromUnixSeconds(1'800'000'000));
  std::string id;
  {
    auto d = Start(clock);
    auto added = d->Add("desk", receiver.url(), kSecret, std::nullopt);
    ASSERT_THAT(added, IsOk());
    id = added->webhook.id();
    AddAlert({"desk"}, absl::Now());
    // The failure is recorded (failing_since = now) before the clock moves:
    // seeing the request at the receiver is not enough, the answer may not
    // have been handled yet.
    ASSERT_TRUE(
        Eventually([&] { return Get(*d, id).state() == Webhook::RETRYING; }));
    clock.Advance(absl::Minutes(61));
    ASSERT_TRUE(
        Eventually([&] { return Get(*d, id).state() == Webhook::PAUSED; }));
    EXPECT_EQ(Get(*d, id).last_error(), "HTTP 500");
  }
  Reopen();
  receiver.SetMode("ok");
  auto d = Start(clock);
  EXPECT_EQ(Get(*d, id).state(), Webhook::PAUSED);
  EXPECT_EQ(Get(*d, id).delivered_cursor(), 0u);
  auto resumed = d->Resume(id);
  ASSERT_THAT(resumed, IsOk());
  ASSERT_TRUE(Eventually([&] { return Get(*d, id).delivered_cursor() == 1; }));
  EXPECT_THAT(receiver.Accepted(), ::testing::ElementsAre(1));
}

// Verifies a restart resumes after the durable cursor: what was acknowledged
// is not sent again, what came after is.
TEST_F(WebhookDispatcherTest, RestartResumesAfterStoredCursor) {
  Receiver receiver(kSecret, Log("r.jsonl"));
  {
    auto d = Start(real_clock_);
    ASSERT_THAT(d->Add("desk", receiver.url(), kSecret, 0), IsOk());
    for (int i = 0; i < 3; ++i) AddAlert({"desk"}, absl::Now());
    ASSERT_TRUE(Eventually([&] { return receiver.Accepted().size() >= 3; }));
    ASSERT_TRUE(Eventually(
        [&] { return (*d->List("desk"))[0].delivered_cursor() == 3; }));
  }
  Reopen();
  for (int i = 0; i < 2; ++i) AddAlert({"desk"}, absl::Now());
  auto d = Start(real_clock_);
  ASSERT_TRUE(Eventually([&] { return receiver.Accepted().size() >= 5; }));
  EXPECT_THAT(receiver.Accepted(), ::testing::ElementsAre(1, 2, 3, 4, 5));
}

// Verifies a stalled endpoint does not hold up another webhook of the same
// subscriber, and gets every alert once it recovers.
TEST_F(WebhookDispatcherTest, StalledEndpointDoesNotHoldOthers) {
  Receiver stalled(kSecret, Log("stalled.jsonl"));
  Receiver healthy(kSecret, Log("healthy.jsonl"));
  stalled.SetMode("stall");
  auto d = Start(real_clock_);
  ASSERT_THAT(d->Add("desk", stalled.url(), kSecret, 0), IsOk());
  ASSERT_THAT(d->Add("desk", healthy.url(), kSecret, 0), IsOk());
  for (int i = 0; i < 6; ++i) AddAlert({"desk"}, absl::Now());
  ASSERT_TRUE(Eventually([&] { return healthy.Accepted().size() >= 6; }));
  EXPECT_TRUE(stalled.Accepted().empty());
  stalled.SetMode("ok");
  ASSERT_TRUE(Eventually([&] {
    std::vector<uint64_t> got = stalled.Accepted();
    return !got.empty() && got.back() == 6;
  }));
  // At least once, in cursor order: a timed-out attempt may be accepted
  // late, then sent again.
  std::vector<uint64_t> got = stalled.Accepted();
  EXPECT_TRUE(std::is_sorted(got.begin(), got.end()));
  EXPECT_EQ(std::set<uint64_t>(got.begin(), got.end()).size(), 6u);
}

// Verifies internal URLs are refused without allow_private, a webhook added
// without a secret gets a generated one, and a removed webhook is gone.
TEST_F(WebhookDispatcherTest, RefusesInternalUrlsAndRemoves) {
  auto strict = WebhookDispatcher::Start(*db_, *log_, real_clock_, {});
  ASSERT_THAT(strict, IsOk());
  EXPECT_EQ(
      (*strict)->Add("desk", "http://127.0.0.1:1/x", "", 0).status().code(),
      absl::StatusCode::kPermissionDenied);
  strict->reset();
  Receiver receiver(kSecret, Log("r.jsonl"));
  auto d = Start(real_clock_);
  auto added = d->Add("desk", receiver.url(), "", 0);
  ASSERT_THAT(added, IsOk());
  EXPECT_EQ(added->generated_secret.size(), 64u);
  ASSERT_THAT(d->Remove(added->webhook.id()), IsOk());
  EXPECT_EQ(d->Remove(added->webhook.id()).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(d->Get(added->webhook.id()).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(d->List("").value().empty());
}

}  // namespace
}  // namespace nw::delivery
