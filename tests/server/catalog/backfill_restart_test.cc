// RuleCatalog::Open completes the backfills a crash interrupted (issue 10,
// item 3): SIGKILL during CreateRule with backfill_since left the rule with
// part of its alerts and no way to complete them.
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "server/base/clock.h"
#include "server/catalog/rule_catalog.h"
#include "storage/alert_log.h"
#include "storage/backfill_job.h"
#include "storage/rule_store.h"
#include "tests/testutil/daemon_process.h"

namespace nw::catalog {
namespace {

namespace v1 = ::newswatch::v1;

TEST(BackfillRestartTest, OpenCompletesAnInterruptedBackfillExactlyOnce) {
  testing::TempDir dir;
  auto db = storage::Db::Open({.path = dir.path(), .sync = false});
  ASSERT_TRUE(db.ok()) << db.status();
  index::RuleRegistry registry;
  alerts::SubscriptionHub hub(absl::flat_hash_map<std::string, uint64_t>{});
  base::FakeClock clock{absl::FromUnixSeconds(1'700'000'000)};
  auto pipeline =
      ingest::IngestPipeline::Create(**db, registry, hub, {}, {}, clock);
  ASSERT_TRUE(pipeline.ok()) << pipeline.status();
  for (int i = 0; i < 300; ++i) {
    v1::Article a;
    a.set_id(absl::StrCat("a-", i));
    a.set_title(i % 3 == 0 ? "pipeline report" : "weather report");
    ASSERT_TRUE((*pipeline)->Ingest(a).ok());
  }
  // What a crash right after CreateRule stored the rule leaves behind.
  v1::WatchRule rule;
  rule.set_id("r-crashed");
  rule.set_subscriber("desk");
  rule.set_query("pipeline");
  const storage::BackfillJob job{
      .rule_id = "r-crashed",
      .since_unix_nanos = absl::ToUnixNanos(absl::UnixEpoch())};
  ASSERT_TRUE(storage::RuleStore(**db).Put(rule, 0, &job).ok());

  for (int start = 0; start < 2; ++start) {  // a second start adds nothing
    auto catalog = RuleCatalog::Open(**db, registry, **pipeline);
    ASSERT_TRUE(catalog.ok()) << catalog.status();
    auto alerts = storage::AlertLog(**db).ReadAfter("desk", 0, 1000);
    ASSERT_TRUE(alerts.ok()) << alerts.status();
    std::set<std::string> ids;
    for (const v1::Alert& a : *alerts) ids.insert(a.article_id());
    EXPECT_EQ(alerts->size(), 100u);
    EXPECT_EQ(ids.size(), 100u);
    auto jobs = storage::LoadBackfillJobs(**db);
    ASSERT_TRUE(jobs.ok());
    EXPECT_TRUE(jobs->empty());
  }
}

}  // namespace
}  // namespace nw::catalog
