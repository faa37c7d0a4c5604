// End to end: the real newswatchd on 127.0.0.1 with a temporary data dir,
// real gRPC, real articles (tests/data).
#include <atomic>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "newswatch/v1/alert_service.grpc.pb.h"
#include "newswatch/v1/article_service.grpc.pb.h"
#include "newswatch/v1/ingest_service.grpc.pb.h"
#include "newswatch/v1/rule_service.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "tests/testutil/daemon_process.h"
#include "tests/testutil/e2e_client.h"
#include "tests/testutil/status_matchers.h"

namespace nw {
namespace {

using ::nw::testing::IsOk;

using testing::Client;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using testing::LoadArticles;
namespace v1 = ::newswatch::v1;

std::vector<std::string> ArticleIds(const std::vector<v1::Alert>& alerts) {
  std::vector<std::string> ids;
  for (const v1::Alert& a : alerts) ids.push_back(a.article_id());
  return ids;
}

std::vector<uint64_t> Cursors(const std::vector<v1::Alert>& alerts) {
  std::vector<uint64_t> cursors;
  for (const v1::Alert& a : alerts) cursors.push_back(a.cursor());
  return cursors;
}

using DaemonE2eTest = testing::E2eTest;

const std::vector<std::string> kOilIds = {
    "reuters-21578-236", "reuters-21578-273", "reuters-21578-349",
    "reuters-21578-353"};

// Verifies the whole path: rules, live streams for two subscribers, bulk
// ingest of real articles, exact alerts per subscriber, and persistence
// across a restart.
TEST_F(DaemonE2eTest, TwoSubscribersGetExactlyTheirAlertsAndSurviveRestart) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  v1::WatchRule myanmar, oil;
  ASSERT_TRUE(
      client_->CreateRule("analyst-asia", "Myanmar AND sanctions", &myanmar)
          .ok());
  ASSERT_TRUE(
      client_->CreateRule("analyst-energy", "crude AND OPEC", &oil).ok());
  EXPECT_EQ(myanmar.subscriber(), "analyst-asia");
  EXPECT_FALSE(myanmar.id().empty());
  EXPECT_NE(myanmar.id(), oil.id());

  // Both streams are open and live (their first heartbeat came: nothing to
  // replay) before anything is submitted, so these alerts can only arrive
  // through live delivery, not a replay of the log.
  std::vector<v1::Alert> asia_live, energy_live;
  std::atomic<int> open_streams{0};
  const auto opened = [&] { open_streams.fetch_add(1); };
  std::thread asia([&] {
    asia_live = client_->ReadAlerts("analyst-asia", 0, 1,
                                    std::chrono::milliseconds(1500), opened);
  });
  std::thread energy([&] {
    energy_live = client_->ReadAlerts("analyst-energy", 0, 4,
                                      std::chrono::milliseconds(1500), opened);
  });
  for (int i = 0; i < 3000 && open_streams.load() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(open_streams.load(), 2) << "the streams never opened";

  std::vector<v1::Article> articles = LoadArticles("seed-article.jsonl");
  std::vector<v1::Article> reuters = LoadArticles("reuters-tm-70.jsonl");
  articles.insert(articles.end(), reuters.begin(), reuters.end());
  ASSERT_EQ(articles.size(), 71u);
  std::vector<v1::ArticleAck> acks = client_->SubmitAll(articles);
  ASSERT_EQ(acks.size(), 71u);
  for (size_t i = 0; i < acks.size(); ++i) {
    EXPECT_EQ(acks[i].article_id(), articles[i].id());
    EXPECT_EQ(acks[i].sequence(), i + 1);
    EXPECT_FALSE(acks[i].duplicate());
    EXPECT_EQ(acks[i].error_code(), 0) << acks[i].error_message();
  }
  asia.join();
  energy.join();

  EXPECT_THAT(ArticleIds(asia_live), ElementsAre("seed-0001"));
  EXPECT_THAT(ArticleIds(energy_live), ElementsAreArray(kOilIds));
  EXPECT_THAT(Cursors(energy_live), ElementsAre(1, 2, 3, 4));
  ASSERT_EQ(asia_live.size(), 1u);
  EXPECT_THAT(asia_live[0].rule_ids(), ElementsAre(myanmar.id()));
  EXPECT_EQ(asia_live[0].title(),
            "US seeks ASEAN foreign ministers meeting over Myanmar");
  for (const v1::Alert& a : energy_live) {
    EXPECT_THAT(a.rule_ids(), ElementsAre(oil.id()));
    EXPECT_EQ(a.subscriber(), "analyst-energy");
    ASSERT_EQ(a.matches_size(), 1);
    EXPECT_GE(a.matches(0).highlights_size(), 2);  // "crude" and "OPEC" found
  }

  // A resubmission is a duplicate: same sequence, no new alert.
  v1::ArticleAck dup;
  ASSERT_TRUE(client_->Submit(articles[0], &dup).ok());
  EXPECT_TRUE(dup.duplicate());
  EXPECT_EQ(dup.sequence(), 1u);

  // Restart on the same data dir: rules, articles and alerts are all there.
  absl::StatusOr<int> exit_code = daemon_->Stop();
  ASSERT_THAT(exit_code, IsOk());
  EXPECT_EQ(*exit_code, 0);
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  std::vector<v1::WatchRule> rules = client_->ListRules("");
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[0].query(), "Myanmar AND sanctions");
  EXPECT_EQ(rules[1].query(), "crude AND OPEC");
  v1::Article stored;
  ASSERT_TRUE(client_->GetArticle("reuters-21578-236", &stored).ok());
  EXPECT_EQ(stored.title(),
            reuters[std::distance(reuters.begin(),
                                  std::find_if(reuters.begin(), reuters.end(),
                                               [](auto& a) {
                                                 return a.id() ==
                                                        "reuters-21578-236";
                                               }))]
                .title());
  EXPECT_EQ(
      client_
          ->ReadAlerts("analyst-energy", 0, 4, std::chrono::milliseconds(500))
          .size(),
      4u);
  // Replay after a cursor gives exactly the rest.
  EXPECT_THAT(ArticleIds(client_->ReadAlerts("analyst-energy", 2, 2,
                                             std::chrono::milliseconds(500))),
              ElementsAre(kOilIds[2], kOilIds[3]));

  // The rules still match after the restart, and sequence numbers continue.
  v1::Article fresh = articles[1];  // an oil article under a new id
  for (const v1::Article& a : articles) {
    if (a.id() == kOilIds[0]) fresh = a;
  }
  fresh.set_id("resubmitted-oil");
  // A text of its own: a copy of a story already alerted would be collapsed
  // (stories.md), which is not what this checks.
  fresh.set_body(
      "OPEC ministers met after the restart to discuss crude output.");
  v1::ArticleAck ack;
  ASSERT_TRUE(client_->Submit(fresh, &ack).ok());
  EXPECT_EQ(ack.sequence(), 72u);
  EXPECT_EQ(ack.alerts(), 1u);
  std::vector<v1::Alert> after = client_->ReadAlerts(
      "analyst-energy", 4, 1, std::chrono::milliseconds(500));
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].cursor(), 5u);
  EXPECT_EQ(after[0].article_id(), "resubmitted-oil");
}

// Verifies that bad input gets INVALID_ARGUMENT saying what is wrong, and
// that nothing of it is stored.
TEST_F(DaemonE2eTest, BadInputIsRefusedAndStoresNothing) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  v1::ArticleAck ack;

  v1::Article empty;
  empty.set_id("empty-1");
  grpc::Status s = client_->Submit(empty, &ack);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("empty title and an empty body"));
  v1::Article blank;  // white space alone is no text
  blank.set_id("blank-1");
  blank.set_title("  ");
  blank.set_body("\n\t \r\n");
  s = client_->Submit(blank, &ack);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("empty title and an empty body"));

  v1::Article bad_utf8;
  bad_utf8.set_id("bad-utf8-1");
  bad_utf8.set_title("Crude oil");
  bad_utf8.set_body(std::string("OPEC \xff\xfe output"));
  s = client_->Submit(bad_utf8, &ack);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("not valid UTF-8"));
  EXPECT_THAT(s.error_message(), HasSubstr("offset 5"));

  v1::WatchRule rule;
  s = client_->CreateRule("analyst", "Myanmar AND (sanctions", &rule);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("byte 12"));  // the unclosed '('
  s = client_->CreateRule("", "Myanmar", &rule);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("subscriber"));

  EXPECT_TRUE(client_->ListRules("").empty());
  v1::Article got;
  EXPECT_EQ(client_->GetArticle("empty-1", &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(client_->GetArticle("blank-1", &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(client_->GetArticle("bad-utf8-1", &got).error_code(),
            grpc::StatusCode::NOT_FOUND);

  // A good article after the bad ones gets sequence 1: nothing was consumed.
  v1::Article good;
  good.set_title("Crude oil prices rise");
  good.set_body("OPEC output");
  ASSERT_TRUE(client_->Submit(good, &ack).ok());
  EXPECT_EQ(ack.sequence(), 1u);
  EXPECT_EQ(ack.article_id(), "nw-1");  // assigned when the sender gives none
}

// Verifies the per-subscriber rule limit and the stream limit: the call past
// the limit gets RESOURCE_EXHAUSTED saying what to do, and changes nothing.
TEST_F(DaemonE2eTest, LimitsGiveResourceExhausted) {
  ASSERT_NO_FATAL_FAILURE(
      StartDaemon({"--max_rules_per_subscriber=2", "--max_streams=1"}));
  v1::WatchRule rule;
  ASSERT_TRUE(client_->CreateRule("analyst", "oil", &rule).ok());
  ASSERT_TRUE(client_->CreateRule("analyst", "gas", &rule).ok());
  grpc::Status s = client_->CreateRule("analyst", "coal", &rule);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(s.error_message(), HasSubstr("has 2 rules"));
  EXPECT_EQ(client_->ListRules("analyst").size(), 2u);
  EXPECT_TRUE(
      client_->CreateRule("other", "coal", &rule).ok());  // per subscriber

  // One stream is open; a second is refused, and allowed once the first ends.
  {
    grpc::ClientContext first_ctx;
    v1::SubscribeRequest req;
    req.set_subscriber("analyst");
    auto first = client_->alerts().Subscribe(&first_ctx, req);
    v1::SubscribeResponse resp;
    ASSERT_TRUE(first->Read(&resp));  // open: the first heartbeat arrived
    grpc::ClientContext second_ctx;
    auto second = client_->alerts().Subscribe(&second_ctx, req);
    EXPECT_FALSE(second->Read(&resp));
    grpc::Status refused = second->Finish();
    EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_THAT(refused.error_message(), HasSubstr("alert streams"));
    first_ctx.TryCancel();
    first->Finish().IgnoreError();
  }
  // The first stream's slot is freed when its call ends on the server.
  bool reopened = false;
  for (int attempt = 0; attempt < 50 && !reopened; ++attempt) {
    grpc::ClientContext ctx;
    v1::SubscribeRequest req;
    req.set_subscriber("analyst");
    auto again = client_->alerts().Subscribe(&ctx, req);
    v1::SubscribeResponse resp;
    reopened = again->Read(&resp);
    ctx.TryCancel();
    again->Finish().IgnoreError();
    if (!reopened) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(reopened);
}

}  // namespace
}  // namespace nw
