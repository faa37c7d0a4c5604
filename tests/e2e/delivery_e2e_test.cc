// End to end, on the real daemon: exact delivery under races, slow readers,
// heartbeats and backfill.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "tests/testutil/daemon_process.h"
#include "tests/testutil/e2e_client.h"

namespace nw {
namespace {

using testing::Client;
using ::testing::ElementsAreArray;
namespace v1 = ::newswatch::v1;

using DeliveryE2eTest = testing::E2eTest;
using testing::PipelineArticles;

// Verifies that a subscriber that keeps disconnecting and resuming from its
// last cursor, while articles arrive, sees every alert exactly once, in order.
TEST_F(DeliveryE2eTest, ResumeRacingSubmissionsHasNoGapAndNoDuplicate) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  v1::WatchRule rule;
  ASSERT_TRUE(client_->CreateRule("racer", "pipeline", &rule).ok());
  constexpr int kArticles = 600;
  std::vector<v1::Article> articles = PipelineArticles("race", kArticles);

  std::thread submitter([&] {
    // Small batches, so the stream switches between replay and live often.
    for (int i = 0; i < kArticles; i += 20) {
      std::vector<v1::Article> batch(articles.begin() + i,
                                     articles.begin() + i + 20);
      client_->SubmitAll(batch);
    }
  });
  std::vector<v1::Alert> seen;
  uint64_t cursor = 0;
  int reconnects = 0;
  while (seen.size() < kArticles) {
    // Read a few alerts, then hang up and resume from the last cursor.
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(30));
    v1::SubscribeRequest req;
    req.set_subscriber("racer");
    req.set_from_cursor(cursor);
    auto reader = client_->alerts().Subscribe(&ctx, req);
    v1::SubscribeResponse resp;
    int read_now = 0;
    const int chunk =
        std::min<int>(7, kArticles - static_cast<int>(seen.size()));
    while (read_now < chunk && reader->Read(&resp)) {
      if (!resp.has_alert()) continue;
      seen.push_back(resp.alert());
      cursor = resp.alert().cursor();
      ++read_now;
    }
    ctx.TryCancel();
    reader->Finish().IgnoreError();
    ASSERT_LT(++reconnects, 2000) << "no progress at cursor " << cursor;
  }
  submitter.join();

  ASSERT_EQ(seen.size(), static_cast<size_t>(kArticles));
  std::vector<std::string> want_ids;
  for (const v1::Article& a : articles) want_ids.push_back(a.id());
  std::vector<std::string> got_ids;
  for (size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].cursor(), i + 1);
    got_ids.push_back(seen[i].article_id());
  }
  EXPECT_THAT(got_ids, ElementsAreArray(want_ids));
}

// Verifies that a subscriber that stops reading neither blocks ingest nor
// another subscriber, and later receives everything it missed, in order.
TEST_F(DeliveryE2eTest, SlowReaderNeitherBlocksIngestNorLosesAlerts) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  v1::WatchRule rule;
  ASSERT_TRUE(client_->CreateRule("slow", "pipeline", &rule).ok());
  ASSERT_TRUE(client_->CreateRule("fast", "pipeline", &rule).ok());

  // The slow subscriber opens its stream and then stops reading.
  grpc::ClientContext slow_ctx;
  v1::SubscribeRequest slow_req;
  slow_req.set_subscriber("slow");
  auto slow = client_->alerts().Subscribe(&slow_ctx, slow_req);
  v1::SubscribeResponse resp;
  ASSERT_TRUE(slow->Read(&resp));  // the stream is open (first heartbeat)

  constexpr int kArticles = 5000;  // well past the per-stream queue (1024)
  std::vector<v1::Article> articles = PipelineArticles("slow", kArticles);
  std::vector<v1::Alert> fast;
  std::thread fast_reader([&] {
    fast = client_->ReadAlerts("fast", 0, kArticles,
                               std::chrono::milliseconds(200));
  });
  std::vector<v1::ArticleAck> acks = client_->SubmitAll(articles);
  ASSERT_EQ(acks.size(),
            static_cast<size_t>(kArticles));  // ingest was not held up
  fast_reader.join();
  EXPECT_EQ(fast.size(), static_cast<size_t>(kArticles));

  // Now the slow reader reads on, on the same stream: everything, in order.
  uint64_t expect = 1;
  while (expect <= kArticles && slow->Read(&resp)) {
    if (!resp.has_alert()) continue;
    ASSERT_EQ(resp.alert().cursor(), expect);
    ASSERT_EQ(resp.alert().article_id(), articles[expect - 1].id());
    ++expect;
  }
  EXPECT_EQ(expect, static_cast<uint64_t>(kArticles + 1));
  slow_ctx.TryCancel();
  slow->Finish().IgnoreError();
}

// Verifies that a client asking for batches gets alerts that are ready
// together (here: a replay from the log) several per message, each batch
// consecutive, and overall every alert once in cursor order; and that a
// max_batch over the limit is refused with what to fix.
TEST_F(DeliveryE2eTest, BatchedStreamCarriesEveryAlertInOrderInFewerMessages) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  v1::WatchRule rule;
  ASSERT_TRUE(client_->CreateRule("batched", "pipeline", &rule).ok());
  constexpr int kArticles = 100;
  std::vector<v1::Article> articles = PipelineArticles("batch", kArticles);
  ASSERT_EQ(client_->SubmitAll(articles).size(),
            static_cast<size_t>(kArticles));

  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  v1::SubscribeRequest req;
  req.set_subscriber("batched");
  req.set_max_batch(16);
  auto reader = client_->alerts().Subscribe(&ctx, req);
  v1::SubscribeResponse resp;
  uint64_t expect = 1;
  int messages = 0, batches = 0;
  while (expect <= kArticles && reader->Read(&resp)) {
    if (resp.has_heartbeat()) continue;
    ++messages;
    std::vector<v1::Alert> alerts;
    if (resp.has_alert()) {
      alerts.push_back(resp.alert());
    } else {
      ASSERT_TRUE(resp.has_batch());
      ASSERT_GE(resp.batch().alerts_size(),
                2);  // a lone alert comes as `alert`
      ASSERT_LE(resp.batch().alerts_size(), 16);
      ++batches;
      alerts.assign(resp.batch().alerts().begin(), resp.batch().alerts().end());
    }
    for (const v1::Alert& alert : alerts) {
      ASSERT_EQ(alert.cursor(), expect);
      ASSERT_EQ(alert.article_id(), articles[expect - 1].id());
      ++expect;
    }
  }
  EXPECT_EQ(expect, static_cast<uint64_t>(kArticles + 1));
  EXPECT_GT(batches, 0);
  EXPECT_LE(messages, kArticles / 2);  // replayed 16 at a time, not one by one
  ctx.TryCancel();
  reader->Finish().IgnoreError();

  grpc::ClientContext too_big_ctx;
  v1::SubscribeRequest too_big = req;
  too_big.set_max_batch(5000);
  auto refused = client_->alerts().Subscribe(&too_big_ctx, too_big);
  while (refused->Read(&resp)) {
  }
  const grpc::Status status = refused->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(),
              ::testing::HasSubstr("max_batch 5000 is over the limit"));
}

// Verifies that resuming after a cursor the subscriber never had (a cursor
// file kept across a restored backup) is OUT_OF_RANGE naming the newest
// cursor, while resuming at the newest cursor waits for the next alert.
TEST_F(DeliveryE2eTest, ResumeFromACursorPastTheNewestIsOutOfRange) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  v1::WatchRule rule;
  ASSERT_TRUE(client_->CreateRule("ahead", "pipeline", &rule).ok());
  ASSERT_EQ(client_->SubmitAll(PipelineArticles("ahead", 3)).size(), 3u);

  auto subscribe = [&](uint64_t from, v1::SubscribeResponse* first) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(2));
    v1::SubscribeRequest req;
    req.set_subscriber("ahead");
    req.set_from_cursor(from);
    auto reader = client_->alerts().Subscribe(&ctx, req);
    if (reader->Read(first)) ctx.TryCancel();  // open: hang up
    return reader->Finish();
  };
  v1::SubscribeResponse first;
  const grpc::Status ahead = subscribe(10, &first);
  EXPECT_EQ(ahead.error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_THAT(
      ahead.error_message(),
      ::testing::HasSubstr(
          "from_cursor 10 is past the newest alert of ahead (cursor 3)"));
  // At the newest cursor: open, nothing to replay (the first message is a
  // heartbeat).
  first.Clear();
  EXPECT_NE(subscribe(3, &first).error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_TRUE(first.has_heartbeat());
}

// Verifies that an idle stream carries heartbeats at the configured interval.
TEST_F(DeliveryE2eTest, IdleStreamCarriesHeartbeats) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon({"--heartbeat_interval=100ms"}));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  v1::SubscribeRequest req;
  req.set_subscriber("idle");
  auto reader = client_->alerts().Subscribe(&ctx, req);
  int heartbeats = 0;
  v1::SubscribeResponse resp;
  while (heartbeats < 4 && reader->Read(&resp)) {
    ASSERT_TRUE(resp.has_heartbeat());
    EXPECT_EQ(resp.heartbeat().last_cursor(), 0u);
    ++heartbeats;
  }
  EXPECT_EQ(heartbeats, 4);
  ctx.TryCancel();
  reader->Finish().IgnoreError();
}

// Verifies that a rule created with backfill_since alerts on the stored
// articles, once each, in order with the live alerts that follow.
TEST_F(DeliveryE2eTest, BackfillAlertsOnStoredArticlesThenGoesLive) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  std::vector<v1::Article> reuters =
      testing::LoadArticles("reuters-tm-70.jsonl");
  ASSERT_EQ(client_->SubmitAll(reuters).size(), reuters.size());

  grpc::ClientContext ctx;
  v1::CreateRuleRequest req;
  req.mutable_rule()->set_subscriber("energy");
  req.mutable_rule()->set_query("crude AND OPEC");
  *req.mutable_backfill_since() =
      google::protobuf::util::TimeUtil::SecondsToTimestamp(0);
  v1::WatchRule rule;
  ASSERT_TRUE(client_->rules().CreateRule(&ctx, req, &rule).ok());
  EXPECT_EQ(rule.backfilled_alerts(), 4u);

  v1::Article live = reuters[0];
  for (const v1::Article& a : reuters) {
    if (a.id() == "reuters-21578-236") live = a;
  }
  live.set_id("live-oil");
  // A text of its own: a copy of a story already alerted would be collapsed.
  live.set_body("OPEC ministers met live to discuss crude output.");
  v1::ArticleAck ack;
  ASSERT_TRUE(client_->Submit(live, &ack).ok());

  std::vector<v1::Alert> alerts =
      client_->ReadAlerts("energy", 0, 5, std::chrono::milliseconds(300));
  std::vector<std::string> ids;
  for (const v1::Alert& a : alerts) ids.push_back(a.article_id());
  EXPECT_THAT(ids, ElementsAreArray({"reuters-21578-236", "reuters-21578-273",
                                     "reuters-21578-349", "reuters-21578-353",
                                     "live-oil"}));
  ASSERT_EQ(alerts.size(), 5u);
  EXPECT_TRUE(alerts[0].backfill());
  EXPECT_FALSE(alerts[4].backfill());
  EXPECT_EQ(alerts[4].cursor(), 5u);
}

}  // namespace
}  // namespace nw
