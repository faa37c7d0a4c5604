// NewswatchClient against the real newswatchd (a child process on a free
// loopback port over a temporary data dir).
#include "client/lib/newswatch_client.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "client/lib/status_convert.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/client/daemon_fixture.h"
#include "tests/testutil/status_matchers.h"

namespace nw::client {
namespace {

using ::nw::testing::IsOk;

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using ClientTest = DaemonTest;

v1::Article MakeArticle(std::string id, std::string body = "text") {
  v1::Article a;
  a.set_id(std::move(id));
  a.set_body(std::move(body));
  return a;
}

// Verifies that the gRPC code and message survive the conversion.
TEST(StatusConvertTest, KeepsCodeAndMessage) {
  EXPECT_THAT(FromGrpcStatus(grpc::Status::OK), IsOk());
  absl::Status s =
      FromGrpcStatus(grpc::Status(grpc::StatusCode::NOT_FOUND, "no such id"));
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "no such id");
  EXPECT_EQ(
      FromGrpcStatus(grpc::Status(grpc::StatusCode::UNAVAILABLE, "")).code(),
      absl::StatusCode::kUnavailable);
}

// Verifies that Connect() fails fast with UNAVAILABLE when nothing listens.
TEST(ConnectTest, NothingListeningFailsFast) {
  ClientOptions options;
  options.server = "127.0.0.1:1";
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<std::unique_ptr<NewswatchClient>> client =
      NewswatchClient::Connect(options);
  EXPECT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

// Verifies the unary calls and their error codes on the real daemon.
TEST_F(ClientTest, UnaryCallsAndErrors) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  absl::StatusOr<v1::ArticleAck> ack =
      client_->SubmitArticle(MakeArticle("a", "crude oil from OPEC"));
  ASSERT_THAT(ack, IsOk());
  EXPECT_EQ(ack->article_id(), "a");
  EXPECT_FALSE(ack->duplicate());
  ack = client_->SubmitArticle(MakeArticle("a", "crude oil from OPEC"));
  ASSERT_THAT(ack, IsOk());
  EXPECT_TRUE(ack->duplicate());
  EXPECT_EQ(client_->SubmitArticle(MakeArticle("b", "")).status().code(),
            absl::StatusCode::kInvalidArgument);

  absl::StatusOr<v1::Article> stored = client_->GetArticle("a");
  ASSERT_THAT(stored, IsOk());
  EXPECT_EQ(stored->body(), "crude oil from OPEC");
  EXPECT_EQ(client_->GetArticle("nope").status().code(),
            absl::StatusCode::kNotFound);

  v1::WatchRule rule;
  rule.set_subscriber("desk");
  rule.set_query("crude AND OPEC");
  absl::StatusOr<v1::WatchRule> created = client_->CreateRule(rule);
  ASSERT_THAT(created, IsOk());
  EXPECT_FALSE(created->id().empty());
  EXPECT_EQ(created->canonical(), "crude AND opec");
  absl::StatusOr<v1::WatchRule> fetched = client_->GetRule(created->id());
  ASSERT_THAT(fetched, IsOk());
  EXPECT_EQ(fetched->query(), "crude AND OPEC");
  rule.set_query("crude AND");
  EXPECT_EQ(client_->CreateRule(rule).status().code(),
            absl::StatusCode::kInvalidArgument);
  rule.set_query("gas");
  rule.set_id(created->id());
  EXPECT_EQ(client_->CreateRule(rule).status().code(),
            absl::StatusCode::kAlreadyExists);

  absl::StatusOr<std::vector<v1::WatchRule>> rules = client_->ListRules("");
  ASSERT_THAT(rules, IsOk());
  ASSERT_EQ(rules->size(), 1u);
  EXPECT_EQ((*rules)[0].id(), created->id());

  EXPECT_EQ(client_->DeleteRule("r-999").code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(client_->DeleteRule(created->id()), IsOk());
  rules = client_->ListRules("desk");
  ASSERT_THAT(rules, IsOk());
  EXPECT_TRUE(rules->empty());

  absl::StatusOr<v1::ValidateRuleResponse> verdict =
      client_->ValidateRule("crude AND");
  ASSERT_THAT(verdict, IsOk());
  EXPECT_FALSE(verdict->valid());
  EXPECT_EQ(verdict->error_offset(), 9u);
}

// Verifies that a bulk stream acks in order, within its window, reporting
// duplicates and refused articles per article.
TEST_F(ClientTest, BulkSubmitKeepsOrderAndWindow) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  absl::Mutex mu;
  std::vector<std::string> tags;
  std::vector<v1::ArticleAck> acks;
  NewswatchClient::BulkOptions options;
  options.window = 4;
  auto bulk = client_->StartBulkSubmit(
      [&](const v1::ArticleAck& ack, const std::string& tag) {
        absl::MutexLock lock(&mu);
        tags.push_back(tag);
        acks.push_back(ack);
      },
      options);
  constexpr int kCount = 40;
  for (int i = 0; i < kCount; ++i) {
    const std::string id = i == 7 ? "a3" : "a" + std::to_string(i);
    ASSERT_TRUE(bulk->Submit(MakeArticle(id, i == 9 ? "" : "x"),
                             "line" + std::to_string(i))
                    .ok());
    EXPECT_LE(static_cast<size_t>(i + 1) - bulk->acked(), options.window);
  }
  ASSERT_THAT(bulk->Finish(), IsOk());
  EXPECT_EQ(bulk->acked(), static_cast<size_t>(kCount));
  absl::MutexLock lock(&mu);
  ASSERT_EQ(tags.size(), static_cast<size_t>(kCount));
  for (int i = 0; i < kCount; ++i) {
    EXPECT_EQ(tags[i], "line" + std::to_string(i));
  }
  EXPECT_TRUE(acks[7].duplicate());
  EXPECT_EQ(acks[7].sequence(), acks[3].sequence());
  EXPECT_EQ(acks[9].error_code(), 3);  // INVALID_ARGUMENT
  EXPECT_FALSE(acks[9].error_message().empty());
}

// Verifies that a bulk stream whose daemon dies reports the failure.
TEST_F(ClientTest, BulkSubmitReportsStreamFailure) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  auto bulk = client_->StartBulkSubmit(nullptr);
  ASSERT_THAT(bulk->Submit(MakeArticle("a"), ""), IsOk());
  daemon_->Kill();
  absl::Status status;
  for (int i = 0; i < 100000 && status.ok(); ++i) {
    status = bulk->Submit(MakeArticle("b" + std::to_string(i)), "");
  }
  if (status.ok()) status = bulk->Finish();
  EXPECT_FALSE(status.ok());
}

// Verifies that destroying an unfinished bulk stream does not hang.
TEST_F(ClientTest, BulkSubmitDestroyedUnfinished) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  auto bulk = client_->StartBulkSubmit(nullptr);
  ASSERT_THAT(bulk->Submit(MakeArticle("a"), ""), IsOk());
  bulk.reset();  // cancels without hanging
}

// Verifies that Subscribe replays after from_cursor, then is stopped by its
// callback.
TEST_F(ClientTest, SubscribeReplaysAfterCursorUntilStopped) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  ASSERT_NO_FATAL_FAILURE(AddRule("desk", "pipeline"));
  EXPECT_EQ(SubmitAll(PipelineArticles("p", 5)), 5u);
  v1::SubscribeRequest request;
  request.set_subscriber("desk");
  request.set_from_cursor(2);
  std::vector<uint64_t> cursors;
  absl::Status status =
      client_->Subscribe(request, [&](const v1::SubscribeResponse& r) {
        if (r.has_alert()) cursors.push_back(r.alert().cursor());
        return cursors.size() < 3;
      });
  EXPECT_THAT(status, IsOk());
  EXPECT_THAT(cursors, ElementsAre(3, 4, 5));
}

// Verifies that an idle stream opens with a heartbeat carrying the newest
// cursor.
TEST_F(ClientTest, SubscribeStartsWithHeartbeat) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  ASSERT_NO_FATAL_FAILURE(AddRule("desk", "pipeline"));
  EXPECT_EQ(SubmitAll(PipelineArticles("p", 2)), 2u);
  v1::SubscribeRequest request;
  request.set_subscriber("desk");
  request.set_live_only(true);
  v1::SubscribeResponse first;
  absl::Status status =
      client_->Subscribe(request, [&](const v1::SubscribeResponse& r) {
        first = r;
        return false;
      });
  EXPECT_THAT(status, IsOk());
  ASSERT_TRUE(first.has_heartbeat());
  EXPECT_EQ(first.heartbeat().last_cursor(), 2u);
}

// Verifies the daemon's refusal of a subscription without a subscriber.
TEST_F(ClientTest, SubscribeError) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  v1::SubscribeRequest request;
  absl::Status status = client_->Subscribe(
      request, [](const v1::SubscribeResponse&) { return true; });
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
}

// Verifies that CreateRule with backfill_since reports the alerts it made.
TEST_F(ClientTest, CreateRuleWithBackfill) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  EXPECT_EQ(SubmitAll(PipelineArticles("old", 3)), 0u);
  v1::CreateRuleRequest request;
  request.mutable_rule()->set_subscriber("desk");
  request.mutable_rule()->set_query("pipeline");
  const int64_t since = absl::ToUnixSeconds(absl::Now() - absl::Hours(1));
  request.mutable_backfill_since()->set_seconds(since);
  absl::StatusOr<v1::WatchRule> created = client_->CreateRule(request);
  ASSERT_THAT(created, IsOk());
  EXPECT_EQ(created->backfilled_alerts(), 3u);

  // A window that starts after the articles backfills nothing.
  request.mutable_rule()->set_subscriber("late");
  request.mutable_backfill_since()->set_seconds(since + 7200);
  created = client_->CreateRule(request);
  ASSERT_THAT(created, IsOk());
  EXPECT_EQ(created->backfilled_alerts(), 0u);
}

}  // namespace
}  // namespace nw::client
