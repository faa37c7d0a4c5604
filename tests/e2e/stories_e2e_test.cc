// Stories on the real daemon (issue 13, ../shared/spec/stories.md):
// syndicated copies of one article (another headline, a dateline, a credit
// line, a cut paragraph) give one alert per story to a subscriber who
// collapses stories (the default) and one per copy to one who turned it off;
// GetStory lists the copies; backfill follows the same rule; a SIGKILL in
// the middle of a submission keeps all of it exact after the restart.
#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "newswatch/v1/article_service.grpc.pb.h"
#include "newswatch/v1/subscriber_service.grpc.pb.h"
#include "tests/testutil/daemon_process.h"
#include "tests/testutil/e2e_client.h"

namespace nw {
namespace {

using testing::Client;
using ::testing::ElementsAre;
namespace v1 = ::newswatch::v1;

constexpr char kRule[] = "Myanmar AND sanctions";

// The body of story `k`: 120 words of its own around "Myanmar sanctions".
std::string Body(int k, int words = 120) {
  std::string s = "Myanmar sanctions were widened on Tuesday.";
  for (int i = 0; i < words; ++i) absl::StrAppend(&s, " s", k, "word", i);
  return s + ".";
}

// Copy `variant` of story `k` as another outlet runs it: 0 the wire
// original, 1 another headline and a dateline, 2 a credit line, 3 the last
// paragraph cut.
v1::Article Copy(int k, int variant) {
  v1::Article a;
  a.set_id(absl::StrCat("story", k, "-copy", variant));
  a.set_source(absl::StrCat("outlet-", variant));
  a.set_lang("en");
  switch (variant) {
    case 0:
      a.set_title(absl::StrCat("EU widens Myanmar sanctions (", k, ")"));
      a.set_body(Body(k));
      break;
    case 1:
      a.set_title(absl::StrCat("Brussels targets junta again (", k, ")"));
      a.set_body("YANGON, March 3 (Wire) - " + Body(k));
      break;
    case 2:
      a.set_title(absl::StrCat("Sanctions on Myanmar grow (", k, ")"));
      a.set_body(Body(k) + " Reporting by Jane Doe; Editing by John Roe.");
      break;
    default:
      a.set_title(absl::StrCat("Myanmar: more sanctions (", k, ")"));
      a.set_body(Body(k, 108));
  }
  return a;
}

class StoriesE2eTest : public testing::E2eTest {
 protected:
  v1::SubscriberSettings SetCollapse(const std::string& subscriber, bool on) {
    auto stub = v1::SubscriberService::NewStub(daemon_->Channel());
    grpc::ClientContext ctx;
    v1::UpdateSubscriberSettingsRequest req;
    req.mutable_settings()->set_subscriber(subscriber);
    req.mutable_settings()->set_collapse_stories(on);
    v1::SubscriberSettings out;
    grpc::Status s = stub->UpdateSubscriberSettings(&ctx, req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  v1::Story GetStory(const std::string& id, grpc::Status* status = nullptr) {
    auto stub = v1::ArticleService::NewStub(daemon_->Channel());
    grpc::ClientContext ctx;
    v1::GetStoryRequest req;
    req.set_story_id(id);
    v1::Story story;
    grpc::Status s = stub->GetStory(&ctx, req, &story);
    if (status != nullptr) *status = s;
    return story;
  }
  std::vector<std::string> StoryArticleIds(const std::string& id) {
    std::vector<std::string> ids;
    const v1::Story story = GetStory(id);
    for (const v1::StoryArticle& a : story.articles()) ids.push_back(a.id());
    return ids;
  }
  void AddRules() {
    v1::WatchRule rule;
    ASSERT_TRUE(client_->CreateRule("desk", kRule, &rule).ok());
    ASSERT_TRUE(client_->CreateRule("every-copy", kRule, &rule).ok());
    EXPECT_FALSE(SetCollapse("every-copy", false).collapse_stories());
  }
};

// Verifies one alert and a story of three for three syndicated copies, three
// alerts with collapse_stories off, the fields on articles and alerts, and
// that the settings read back.
TEST_F(StoriesE2eTest, ThreeSyndicatedCopiesAlertOnceAsAStoryOfThree) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  ASSERT_NO_FATAL_FAILURE(AddRules());
  const std::vector<v1::Article> copies = {Copy(1, 0), Copy(1, 1), Copy(1, 2)};
  ASSERT_EQ(client_->SubmitAll(copies).size(), 3u);

  const std::vector<v1::Alert> desk =
      client_->ReadAlerts("desk", 0, 1, std::chrono::milliseconds(500));
  ASSERT_EQ(desk.size(), 1u);
  EXPECT_EQ(desk[0].article_id(), "story1-copy0");
  EXPECT_EQ(desk[0].story_id(), "story1-copy0");
  const std::vector<v1::Alert> every =
      client_->ReadAlerts("every-copy", 0, 3, std::chrono::milliseconds(300));
  ASSERT_EQ(every.size(), 3u);
  for (const v1::Alert& a : every) EXPECT_EQ(a.story_id(), "story1-copy0");

  v1::Article stored;
  ASSERT_TRUE(client_->GetArticle("story1-copy1", &stored).ok());
  EXPECT_EQ(stored.story_id(), "story1-copy0");
  EXPECT_EQ(stored.duplicate_of(), "story1-copy0");
  ASSERT_TRUE(client_->GetArticle("story1-copy0", &stored).ok());
  EXPECT_EQ(stored.story_id(), "story1-copy0");
  EXPECT_EQ(stored.duplicate_of(), "");

  const v1::Story story = GetStory("story1-copy0");
  ASSERT_EQ(story.articles_size(), 3);
  EXPECT_EQ(story.articles(1).id(), "story1-copy1");
  EXPECT_EQ(story.articles(1).source(), "outlet-1");
  EXPECT_EQ(story.articles(1).title(), "Brussels targets junta again (1)");
  EXPECT_TRUE(story.articles(1).has_ingested_at());
  EXPECT_EQ(story.articles(0).duplicate_of(), "");
  grpc::Status missing;
  GetStory("no-such-story", &missing);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);

  // Another story still alerts; a copy turned back on alerts per copy.
  ASSERT_EQ(client_->SubmitAll({Copy(2, 0), Copy(2, 3)}).size(), 2u);
  EXPECT_EQ(
      client_->ReadAlerts("desk", 0, 2, std::chrono::milliseconds(500)).size(),
      2u);
  EXPECT_TRUE(SetCollapse("desk", true).collapse_stories());
}

// Verifies that a rule's backfill alerts once per story, and not at all on
// a story the subscriber was already alerted on.
TEST_F(StoriesE2eTest, BackfillAlertsOncePerStory) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  std::vector<v1::Article> all;
  for (int k = 0; k < 3; ++k)
    for (int v = 0; v < 4; ++v) all.push_back(Copy(k, v));
  ASSERT_EQ(client_->SubmitAll(all).size(), all.size());
  grpc::ClientContext ctx;
  v1::CreateRuleRequest req;
  req.mutable_rule()->set_subscriber("late");
  req.mutable_rule()->set_query(kRule);
  *req.mutable_backfill_since() =
      google::protobuf::util::TimeUtil::SecondsToTimestamp(0);
  v1::WatchRule rule;
  ASSERT_TRUE(client_->rules().CreateRule(&ctx, req, &rule).ok());
  EXPECT_EQ(rule.backfilled_alerts(), 3u);
  // A second rule of the same subscriber matching the same stories: each
  // original already has the subscriber's alert (one alert per article per
  // subscriber) and the copies are collapsed, so nothing new.
  grpc::ClientContext ctx2;
  req.mutable_rule()->set_query("Myanmar AND widened");
  ASSERT_TRUE(client_->rules().CreateRule(&ctx2, req, &rule).ok());
  EXPECT_EQ(rule.backfilled_alerts(), 0u);
}

// Verifies that a SIGKILL while copies are being submitted loses nothing:
// after the restart (window rebuilt from storage) and a resubmission of
// everything, the collapsing subscriber has exactly one alert per story and
// the other one per copy, and every story lists exactly its copies.
TEST_F(StoriesE2eTest, CrashMidwayKeepsStoriesExact) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  ASSERT_NO_FATAL_FAILURE(AddRules());
  std::vector<v1::Article> all;
  for (int k = 0; k < 5; ++k)
    for (int v = 0; v < 4; ++v) all.push_back(Copy(k, v));

  std::atomic<size_t> acked{0};
  std::thread submitter([&, channel = daemon_->Channel()] {
    Client c(channel);
    for (size_t i = 0; i < all.size(); i += 2) {
      grpc::Status status;
      const size_t got = c.SubmitAll({all[i], all[i + 1]}, &status).size();
      acked += got;
      if (!status.ok() || got < 2) return;  // the daemon died
    }
  });
  // Killed while the stream is going (after at least one story and a half).
  for (int i = 0; i < 3000 && acked < 6; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  daemon_->Kill();
  submitter.join();
  ASSERT_GE(acked.load(), 6u);

  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  // The sender resubmits everything; what was committed is a duplicate.
  ASSERT_EQ(client_->SubmitAll(all).size(), all.size());

  const std::vector<v1::Alert> desk =
      client_->ReadAlerts("desk", 0, 5, std::chrono::milliseconds(500));
  std::vector<std::string> desk_stories;
  for (const v1::Alert& a : desk) desk_stories.push_back(a.story_id());
  EXPECT_THAT(desk_stories,
              ElementsAre("story0-copy0", "story1-copy0", "story2-copy0",
                          "story3-copy0", "story4-copy0"));
  EXPECT_EQ(
      client_->ReadAlerts("every-copy", 0, 20, std::chrono::milliseconds(300))
          .size(),
      20u);
  for (int k = 0; k < 5; ++k) {
    EXPECT_THAT(StoryArticleIds(absl::StrCat("story", k, "-copy0")),
                ElementsAre(absl::StrCat("story", k, "-copy0"),
                            absl::StrCat("story", k, "-copy1"),
                            absl::StrCat("story", k, "-copy2"),
                            absl::StrCat("story", k, "-copy3")))
        << "story " << k;
  }
}

}  // namespace
}  // namespace nw
