// The story step of ingest (story_stage.h) through the pipeline, on a real
// RocksDB in a temp dir with an injected clock: the daemon's shingles equal
// the offline tool's, copies collapse per subscriber within the window only,
// and a new pipeline over the same data (a restart) rebuilds the window.
#include "server/ingest/story_stage.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/ingest/alert_builder.h"
#include "server/ingest/ingest_pipeline.h"
#include "server/rules/parser.h"
#include "server/stories/shingles.h"
#include "storage/alert_log.h"
#include "storage/article_store.h"
#include "tests/server/index/test_rules.h"
#include "tests/testutil/daemon_process.h"
#include "tests/testutil/e2e_client.h"
#include "tests/testutil/status_matchers.h"

namespace nw::ingest {
namespace {

using ::nw::testing::IsOk;

namespace v1 = ::newswatch::v1;

// A parsed rule (null if it does not parse).
const auto Rule = &index::testing::MakeRule;

// Copy `variant` of one wire story: 0 the original, 1 with a dateline.
v1::Article Copy(const std::string& id, int variant) {
  std::string body = variant == 1 ? "LONDON (Wire) - " : "";
  body += "The pipeline opened on Monday";
  for (int i = 0; i < 60; ++i) absl::StrAppend(&body, " word", i);
  v1::Article a;
  a.set_id(id);
  a.set_title(absl::StrCat("Headline ", variant));
  a.set_body(body);
  return a;
}

// Verifies the daemon's shingles (from the analysis matching made) are the
// offline tool's, so newswatch-match --stories decides like the daemon.
TEST(StoryStageTest, ShinglesEqualTheOfflineTools) {
  for (const v1::Article& a : testing::LoadArticles("reuters-tm-70.jsonl")) {
    std::vector<uint64_t> s = StoryStage::ShinglesOf(AnalyzeArticle(a));
    stories::MakeSet(s);
    EXPECT_EQ(s, stories::ShinglesOfBody(a.body())) << a.id();
  }
}

class StoryPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = storage::Db::Open({.path = dir_.path(), .sync = false});
    ASSERT_THAT(db, IsOk());
    db_ = *std::move(db);
    hub_ = std::make_unique<alerts::SubscriptionHub>(
        absl::flat_hash_map<std::string, uint64_t>{});
    registry_.Reset({Rule("r1", "a", "pipeline")});
    Restart();
  }
  void Restart() {
    pipeline_.reset();
    auto cursors = storage::AlertLog(*db_, nullptr).LoadLastCursors();
    ASSERT_THAT(cursors, IsOk());
    auto pipeline =
        IngestPipeline::Create(*db_, registry_, *hub_, *cursors, {}, clock_);
    ASSERT_THAT(pipeline, IsOk());
    pipeline_ = *std::move(pipeline);
  }
  uint32_t Ingest(const v1::Article& a) {
    absl::StatusOr<IngestResult> r = pipeline_->Ingest(a);
    EXPECT_THAT(r, IsOk());
    return r.ok() ? r->alerts : 0;
  }
  v1::Article Stored(const std::string& id) {
    auto a = storage::ArticleStore(*db_).Get(id);
    EXPECT_THAT(a, IsOk());
    return a.ok() ? *a : v1::Article();
  }

  testing::TempDir dir_;
  std::unique_ptr<storage::Db> db_;
  base::FakeClock clock_{absl::FromUnixSeconds(1'700'000'000)};
  index::RuleRegistry registry_;
  std::unique_ptr<alerts::SubscriptionHub> hub_;
  std::unique_ptr<IngestPipeline> pipeline_;
};

// Verifies a copy within 7 days joins the story without an alert, and one
// after 7 days starts a story of its own and alerts.
TEST_F(StoryPipelineTest, CopiesCollapseWithinTheWindowOnly) {
  EXPECT_EQ(Ingest(Copy("wire", 0)), 1u);
  EXPECT_EQ(Ingest(Copy("paper", 1)), 0u);
  EXPECT_EQ(Stored("paper").story_id(), "wire");
  EXPECT_EQ(Stored("paper").duplicate_of(), "wire");
  EXPECT_EQ(Stored("wire").story_id(), "wire");
  clock_.Advance(absl::Hours(24 * 7) + absl::Seconds(1));
  EXPECT_EQ(Ingest(Copy("late", 0)), 1u);
  EXPECT_EQ(Stored("late").story_id(), "late");
  EXPECT_EQ(Stored("late").duplicate_of(), "");
}

// Verifies that a pipeline over the same data (a restart) rebuilds the
// window and the alert state from storage.
TEST_F(StoryPipelineTest, RestartRebuildsTheWindow) {
  EXPECT_EQ(Ingest(Copy("wire", 0)), 1u);
  ASSERT_NO_FATAL_FAILURE(Restart());
  EXPECT_EQ(Ingest(Copy("paper", 1)), 0u);
  EXPECT_EQ(Stored("paper").duplicate_of(), "wire");
}

}  // namespace
}  // namespace nw::ingest
