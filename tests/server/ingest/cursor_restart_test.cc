// Alert cursors across daemon restarts (the pipeline reopened on its data
// dir): each subscriber's cursors go on from its last one, without a gap or a
// cursor handed out twice, also when retention deleted all of its alerts.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/delivery_store.h"
#include "storage/retention.h"
#include "tests/server/index/test_rules.h"
#include "tests/server/ingest/pipeline_fixture.h"
#include "tests/testutil/status_matchers.h"

namespace nw::ingest {
namespace {

using ::nw::testing::IsOk;
namespace v1 = ::newswatch::v1;

const auto Rule = &index::testing::MakeRule;

const auto Article = &testing::ReportArticle;

using CursorRestartTest = testing::PipelineFixture;

TEST_F(CursorRestartTest, ResumesWithoutGapOrDuplicateAcrossRestarts) {
  const auto rules = [this] {
    registry_.Reset({Rule("r1", "a", "pipeline"), Rule("r2", "b", "gas")});
  };
  rules();
  std::vector<std::string> want_a;
  int n = 0;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 4; ++i, ++n) {
      // Every article alerts "a"; every other one "b" too.
      const std::string id = absl::StrCat("art-", n);
      ASSERT_THAT(pipeline_->Ingest(Article(
                      id, n % 2 == 0 ? "gas pipeline" : "oil pipeline")),
                  IsOk());
      want_a.push_back(id);
    }
    Reopen();
    rules();
    // What streams and the history API start from.
    EXPECT_EQ(hub_->LastCursor("a"), want_a.size());
    EXPECT_EQ(hub_->LastCursor("b"), want_a.size() / 2);
  }
  std::vector<v1::Alert> a = Alerts("a");
  ASSERT_EQ(a.size(), want_a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].cursor(), i + 1);
    EXPECT_EQ(a[i].article_id(), want_a[i]);
  }
  std::vector<v1::Alert> b = Alerts("b");
  ASSERT_EQ(b.size(), want_a.size() / 2);
  for (size_t i = 0; i < b.size(); ++i) {
    EXPECT_EQ(b[i].cursor(), i + 1);
    EXPECT_EQ(b[i].article_id(), want_a[2 * i]);
  }
}

TEST_F(CursorRestartTest, CursorsAreNeverReusedAfterRetentionEmptiedALog) {
  registry_.Reset({Rule("r1", "a", "pipeline")});
  for (int i = 0; i < 3; ++i) {
    ASSERT_THAT(pipeline_->Ingest(Article(absl::StrCat("old-", i), "pipeline")),
                IsOk());
  }
  clock_.Advance(absl::Hours(24 * 31));
  auto result =
      storage::EnforceRetention(*db_, clock_.Now() - absl::Hours(24 * 30));
  ASSERT_THAT(result, IsOk());
  ASSERT_EQ(result->alerts_deleted, 3u);
  ASSERT_TRUE(Alerts("a").empty());
  // What webhooks and e-mail start from.
  absl::StatusOr<uint64_t> last =
      storage::DeliveryStore(*db_).LastAlertCursor("a");
  ASSERT_THAT(last, IsOk());
  EXPECT_EQ(*last, 3u);

  Reopen();
  registry_.Reset({Rule("r1", "a", "pipeline")});
  EXPECT_EQ(hub_->LastCursor("a"), 3u);
  ASSERT_THAT(pipeline_->Ingest(Article("new-0", "pipeline")), IsOk());
  std::vector<v1::Alert> a = Alerts("a");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].cursor(), 4u);
  EXPECT_EQ(a[0].article_id(), "new-0");

  // And again after retention emptied it a second time.
  clock_.Advance(absl::Hours(24 * 31));
  ASSERT_THAT(
      storage::EnforceRetention(*db_, clock_.Now() - absl::Hours(24 * 30)),
      IsOk());
  Reopen();
  registry_.Reset({Rule("r1", "a", "pipeline")});
  ASSERT_THAT(pipeline_->Ingest(Article("new-1", "pipeline")), IsOk());
  a = Alerts("a");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].cursor(), 5u);
}

}  // namespace
}  // namespace nw::ingest
