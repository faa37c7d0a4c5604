// RuleCatalog::Open completes the backfills a crash interrupted (issue 10,
// item 3): SIGKILL during CreateRule with backfill_since left the rule with
// part of its alerts and no way to complete them.
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "server/base/clock.h"
#include "server/catalog/rule_catalog.h"
#include "server/ingest/alert_builder.h"
#include "storage/alert_log.h"
#include "storage/backfill_job.h"
#include "storage/rule_store.h"
#include "tests/testutil/daemon_process.h"
#include "tests/testutil/status_matchers.h"

namespace nw::catalog {
namespace {

using ::nw::testing::IsOk;

namespace v1 = ::newswatch::v1;

TEST(BackfillRestartTest, OpenCompletesAnInterruptedBackfillExactlyOnce) {
  testing::TempDir dir;
  auto db = storage::Db::Open({.path = dir.path(), .sync = false});
  ASSERT_THAT(db, IsOk());
  index::RuleRegistry registry;
  alerts::SubscriptionHub hub(absl::flat_hash_map<std::string, uint64_t>{});
  base::FakeClock clock{absl::FromUnixSeconds(1'700'000'000)};
  auto pipeline =
      ingest::IngestPipeline::Create(**db, registry, hub, {}, {}, clock);
  ASSERT_THAT(pipeline, IsOk());
  for (int i = 0; i < 300; ++i) {
    v1::Article a;
    a.set_id(absl::StrCat("a-", i));
    a.set_title(i % 3 == 0 ? "pipeline report" : "weather report");
    ASSERT_THAT((*pipeline)->Ingest(a), IsOk());
  }
  // What a crash right after CreateRule stored the rule leaves behind.
  v1::WatchRule rule;
  rule.set_id("r-crashed");
  rule.set_subscriber("desk");
  rule.set_query("pipeline");
  const storage::BackfillJob job{
      .rule_id = "r-crashed",
      .since_unix_nanos = absl::ToUnixNanos(absl::UnixEpoch())};
  ASSERT_THAT(storage::RuleStore(**db).Put(rule, 0, &job), IsOk());

  for (int start = 0; start < 2; ++start) {  // a second start adds nothing
    auto catalog = RuleCatalog::Open(**db, registry, **pipeline);
    ASSERT_THAT(catalog, IsOk());
    auto alerts = storage::AlertLog(**db, &ingest::CompleteAlert)
                      .ReadAfter("desk", 0, 1000);
    ASSERT_THAT(alerts, IsOk());
    std::set<std::string> ids;
    for (const v1::Alert& a : *alerts) ids.insert(a.article_id());
    EXPECT_EQ(alerts->size(), 100u);
    EXPECT_EQ(ids.size(), 100u);
    auto jobs = storage::LoadBackfillJobs(**db);
    ASSERT_THAT(jobs, IsOk());
    EXPECT_TRUE(jobs->empty());
  }
}

}  // namespace
}  // namespace nw::catalog
