// RuleApi::Preview past its bounds: the newest articles of the window are
// the ones scanned (the page says "older articles were not scanned"), both
// when the article cap cuts the window and when the deadline stops the scan.
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "server/api/rule_api.h"
#include "server/base/clock.h"
#include "server/catalog/rule_catalog.h"
#include "server/ingest/alert_builder.h"
#include "storage/alert_log.h"
#include "storage/article_store.h"
#include "tests/testutil/daemon_process.h"
#include "tests/testutil/status_matchers.h"

namespace nw::api {
namespace {

using ::nw::testing::IsOk;

namespace v1 = ::newswatch::v1;

// Moves one millisecond each time it is read, so a scan's deadline passes
// after a known amount of work and not by the machine's speed.
class TickingClock final : public base::Clock {
 public:
  explicit TickingClock(absl::Time start) : now_(start) {}
  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    now_ += absl::Milliseconds(1);
    return now_;
  }

 private:
  mutable absl::Mutex mu_;
  mutable absl::Time now_ ABSL_GUARDED_BY(mu_);
};

constexpr int kArticles = 1000;

class PreviewBoundsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = storage::Db::Open({.path = dir_.path(), .sync = false});
    ASSERT_THAT(db, IsOk());
    db_ = *std::move(db);
    auto pipeline =
        ingest::IngestPipeline::Create(*db_, registry_, hub_, {}, {}, clock_);
    ASSERT_THAT(pipeline, IsOk());
    pipeline_ = *std::move(pipeline);
    for (int i = 0; i < kArticles; ++i) {
      v1::Article a;
      a.set_id(absl::StrCat("a-", i));
      a.set_title(absl::StrCat("pipeline report number ", i));
      a.set_body(absl::StrCat("text ", i, " of a pipeline report"));
      ASSERT_THAT(pipeline_->Ingest(a), IsOk());
    }
    auto catalog = catalog::RuleCatalog::Open(*db_, registry_, *pipeline_);
    ASSERT_THAT(catalog, IsOk());
    catalog_ = *std::move(catalog);
  }

  absl::StatusOr<v1::PreviewRuleResponse> Preview(PreviewLimits limits) {
    storage::ArticleStore articles(*db_);
    storage::AlertLog alerts(*db_, &ingest::CompleteAlert);
    TickingClock clock(absl::FromUnixSeconds(1'700'000'060));
    RuleApi api(*catalog_, articles, articles, alerts, clock, limits);
    v1::PreviewRuleRequest req;
    req.set_query("pipeline");
    req.set_subscriber("desk");
    req.set_limit(3);
    return api.Preview(auth::Principal::Unrestricted(), req);
  }

  testing::TempDir dir_;
  std::unique_ptr<storage::Db> db_;
  index::RuleRegistry registry_;
  alerts::SubscriptionHub hub_{absl::flat_hash_map<std::string, uint64_t>{}};
  base::FakeClock clock_{absl::FromUnixSeconds(1'700'000'000)};
  std::unique_ptr<ingest::IngestPipeline> pipeline_;
  std::unique_ptr<catalog::RuleCatalog> catalog_;
};

std::vector<std::string> SampleIds(const v1::PreviewRuleResponse& r) {
  std::vector<std::string> ids;
  for (const v1::Alert& a : r.samples()) ids.push_back(a.article_id());
  return ids;
}

// Verifies an unbounded preview scans everything and shows the newest
// matches first.
TEST_F(PreviewBoundsTest, WholeWindowNewestSamplesFirst) {
  auto r = Preview({});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->scanned(), static_cast<uint64_t>(kArticles));
  EXPECT_EQ(r->matched(), static_cast<uint64_t>(kArticles));
  EXPECT_FALSE(r->truncated());
  EXPECT_EQ(SampleIds(*r),
            (std::vector<std::string>{"a-999", "a-998", "a-997"}));
}

// Verifies the article cap keeps the newest articles.
TEST_F(PreviewBoundsTest, ArticleCapScansTheNewest) {
  auto r = Preview({.max_articles = 300});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->scanned(), 300u);
  EXPECT_TRUE(r->truncated());
  EXPECT_EQ(SampleIds(*r),
            (std::vector<std::string>{"a-999", "a-998", "a-997"}));
}

// Verifies a preview stopped by its deadline has scanned the newest
// articles of the window, not the oldest, and reports it.
TEST_F(PreviewBoundsTest, DeadlineStopsAfterTheNewest) {
  auto r = Preview({.deadline = absl::ZeroDuration()});
  ASSERT_THAT(r, IsOk());
  EXPECT_TRUE(r->truncated());
  EXPECT_GT(r->scanned(), 0u);
  EXPECT_LT(r->scanned(), static_cast<uint64_t>(kArticles));
  EXPECT_EQ(SampleIds(*r),
            (std::vector<std::string>{"a-999", "a-998", "a-997"}));
}

}  // namespace
}  // namespace nw::api
