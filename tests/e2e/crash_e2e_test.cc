// Crash safety on the real daemon: it is killed with SIGKILL at random
// moments while clients submit concurrently; after each restart, every
// acknowledged article is readable, and a subscriber resuming from its last
// cursor ends up with every expected alert exactly once.
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "newswatch/v1/subscriber_service.grpc.pb.h"
#include "server/ingest/alert_builder.h"
#include "server/match/evaluator.h"
#include "server/rules/parser.h"
#include "tests/testutil/daemon_process.h"
#include "tests/testutil/e2e_client.h"
#include "tests/testutil/status_matchers.h"

namespace nw {
namespace {

using ::nw::testing::IsOk;

using testing::Client;
namespace v1 = ::newswatch::v1;

constexpr char kRule[] = "oil OR crude";
constexpr int kKills = 5;

// The offline matcher's verdict: does `article` match kRule?
bool ExpectedToMatch(const v1::Article& article) {
  auto rule = rules::ParseRule(kRule);
  return match::Evaluate(**rule, ingest::AnalyzeArticle(article)).has_value();
}

TEST(CrashE2eTest, KilledDaemonLosesNothingAcknowledgedAndResumesExactly) {
  testing::TempDir data_dir;
  // 70 Reuters articles, each submitted under 4 ids: 280 articles.
  std::vector<v1::Article> articles;
  for (int copy = 0; copy < 4; ++copy) {
    for (v1::Article a : testing::LoadArticles("reuters-tm-70.jsonl")) {
      a.set_id(absl::StrCat(a.id(), "#", copy));
      articles.push_back(std::move(a));
    }
  }
  std::set<std::string>
      expected_alerts;  // article ids the offline matcher says match
  for (const v1::Article& a : articles) {
    if (ExpectedToMatch(a)) expected_alerts.insert(a.id());
  }
  ASSERT_GT(expected_alerts.size(), 20u);

  std::mt19937 rng(20261129);
  std::set<std::string> acked;
  std::vector<v1::Alert> received;  // what the resuming subscriber saw
  uint64_t last_cursor = 0;
  bool rule_created = false;

  for (int round = 0; round <= kKills; ++round) {
    auto daemon =
        testing::DaemonProcess::Start(testing::DaemonBinary(), data_dir.path());
    ASSERT_THAT(daemon, IsOk());
    Client client((*daemon)->Channel());

    // Everything acknowledged before any crash is still there.
    for (const std::string& id : acked) {
      v1::Article stored;
      ASSERT_TRUE(client.GetArticle(id, &stored).ok())
          << "lost acknowledged article " << id;
    }
    if (!rule_created) {
      v1::WatchRule rule;
      ASSERT_TRUE(client.CreateRule("crash-analyst", kRule, &rule).ok());
      // The 4 copies of each article are one story: alert on each copy here
      // (stories_e2e_test covers collapsing across a crash).
      auto subscribers = v1::SubscriberService::NewStub((*daemon)->Channel());
      grpc::ClientContext ctx;
      v1::UpdateSubscriberSettingsRequest req;
      req.mutable_settings()->set_subscriber("crash-analyst");
      req.mutable_settings()->set_collapse_stories(false);
      v1::SubscriberSettings settings;
      ASSERT_TRUE(
          subscribers->UpdateSubscriberSettings(&ctx, req, &settings).ok());
      rule_created = true;
    }

    // Two clients submit what is not acknowledged yet (a real sender retries
    // unacknowledged articles; committed ones come back as duplicates).
    std::vector<v1::Article> todo;
    for (const v1::Article& a : articles) {
      if (!acked.count(a.id())) todo.push_back(a);
    }
    std::vector<v1::Article> half[2];
    for (size_t i = 0; i < todo.size(); ++i) half[i % 2].push_back(todo[i]);
    std::vector<v1::ArticleAck> acks[2];
    std::thread submitters[2];
    for (int s = 0; s < 2; ++s) {
      submitters[s] = std::thread([&, s] {
        Client c((*daemon)->Channel());
        grpc::Status status;
        // Small streams so acknowledgements trickle in during the round.
        for (size_t i = 0; i < half[s].size(); i += 10) {
          std::vector<v1::Article> batch(
              half[s].begin() + i,
              half[s].begin() + std::min(i + 10, half[s].size()));
          std::vector<v1::ArticleAck> got = c.SubmitAll(batch, &status);
          acks[s].insert(acks[s].end(), got.begin(), got.end());
          if (!status.ok()) return;  // the daemon died
        }
      });
    }
    // A subscriber resumes from its last cursor and reads while it can.
    std::thread reader([&] {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(20));
      v1::SubscribeRequest req;
      req.set_subscriber("crash-analyst");
      req.set_from_cursor(last_cursor);
      auto stream = client.alerts().Subscribe(&ctx, req);
      v1::SubscribeResponse resp;
      while (stream->Read(&resp)) {
        if (!resp.has_alert()) continue;
        received.push_back(resp.alert());
        last_cursor = resp.alert().cursor();
        if (round == kKills && received.size() >= expected_alerts.size()) break;
      }
      ctx.TryCancel();
      stream->Finish().IgnoreError();
    });

    if (round < kKills) {
      std::this_thread::sleep_for(std::chrono::milliseconds(
          std::uniform_int_distribution<int>(30, 400)(rng)));
      (*daemon)->Kill();
    }
    for (auto& t : submitters) t.join();
    for (auto& a : acks) {
      for (const v1::ArticleAck& ack : a) {
        if (ack.error_code() == 0) acked.insert(ack.article_id());
      }
    }
    reader.join();
    if (round == kKills) {
      ASSERT_EQ(acked.size(), articles.size())
          << "the last round runs to completion";
      ASSERT_EQ((*daemon)->Stop().value_or(-1), 0);
    }
  }

  // Exactly once, in cursor order, exactly the expected articles.
  std::map<std::string, int> per_article;
  for (size_t i = 0; i < received.size(); ++i) {
    EXPECT_EQ(received[i].cursor(), i + 1) << "gap or duplicate at " << i;
    ++per_article[received[i].article_id()];
  }
  std::set<std::string> got;
  for (const auto& [id, n] : per_article) {
    EXPECT_EQ(n, 1) << id << " alerted " << n << " times";
    got.insert(id);
  }
  EXPECT_EQ(got, expected_alerts);
}

}  // namespace
}  // namespace nw
