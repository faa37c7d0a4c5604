// The ingest pipeline on a real RocksDB in a temp dir, with an injected clock.
#include "server/ingest/ingest_pipeline.h"

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/ingest/alert_builder.h"
#include "server/rules/parser.h"
#include "storage/alert_log.h"
#include "storage/retention.h"
#include "tests/server/index/test_rules.h"
#include "tests/server/ingest/pipeline_fixture.h"
#include "tests/testutil/daemon_process.h"
#include "tests/testutil/status_matchers.h"

namespace nw::ingest {
namespace {

using ::nw::testing::IsOk;

using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace v1 = ::newswatch::v1;

// A parsed rule (null if it does not parse).
const auto Rule = &index::testing::MakeRule;

const auto Article = &testing::ReportArticle;

using IngestPipelineTest = testing::PipelineFixture;

// Verifies that concurrent submitters get unique, gap-free sequence numbers
// and that each subscriber's cursors are 1..N in commit order.
TEST_F(IngestPipelineTest, ConcurrentIngestGivesContiguousSequencesAndCursors) {
  registry_.Reset({Rule("r1", "a", "pipeline")});
  constexpr int kThreads = 4, kPerThread = 50;
  std::vector<std::thread> threads;
  std::vector<uint64_t> sequences[kThreads];
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; i += 5) {
        std::vector<v1::Article> batch;
        for (int j = i; j < i + 5; ++j) {
          batch.push_back(
              Article(absl::StrCat("t", t, "-", j), "gas pipeline"));
        }
        for (auto& r : pipeline_->IngestBatch(std::move(batch))) {
          ASSERT_THAT(r, IsOk());
          sequences[t].push_back(r->sequence);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<uint64_t> all;
  for (auto& s : sequences) all.insert(s.begin(), s.end());
  ASSERT_EQ(all.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(*all.begin(), 1u);
  EXPECT_EQ(*all.rbegin(), static_cast<uint64_t>(kThreads * kPerThread));
  std::vector<v1::Alert> alerts = Alerts("a");
  ASSERT_EQ(alerts.size(), all.size());
  for (size_t i = 0; i < alerts.size(); ++i) {
    EXPECT_EQ(alerts[i].cursor(), i + 1);
    if (i > 0)
      EXPECT_GT(alerts[i].article_sequence(), alerts[i - 1].article_sequence());
  }
}

// Verifies that a repeated id, in one batch or later, is a duplicate with
// the first sequence number and creates no alert.
TEST_F(IngestPipelineTest, RepeatedIdsAreDuplicatesWithoutAlerts) {
  registry_.Reset({Rule("r1", "a", "pipeline")});
  auto results = pipeline_->IngestBatch({Article("x", "pipeline"),
                                         Article("x", "pipeline again"),
                                         Article("y", "pipeline")});
  ASSERT_TRUE(results[0].ok() && results[1].ok() && results[2].ok());
  EXPECT_FALSE(results[0]->duplicate);
  EXPECT_TRUE(results[1]->duplicate);
  EXPECT_EQ(results[1]->sequence, results[0]->sequence);
  EXPECT_EQ(results[2]->sequence, 2u);
  auto again = pipeline_->Ingest(Article("y", "pipeline"));
  ASSERT_THAT(again, IsOk());
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->sequence, 2u);
  EXPECT_EQ(again->alerts, 0u);
  EXPECT_EQ(Alerts("a").size(), 2u);
}

// Verifies retention with an injected clock: old articles and the alerts
// about them are deleted; an expired cursor is OUT_OF_RANGE naming the
// oldest cursor kept; cursor 0 still replays what is kept.
TEST_F(IngestPipelineTest, RetentionDeletesOldArticlesAndAlerts) {
  registry_.Reset({Rule("r1", "a", "pipeline")});
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        pipeline_->Ingest(Article(absl::StrCat("old-", i), "pipeline")).ok());
  }
  clock_.Advance(absl::Hours(24 * 31));
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(
        pipeline_->Ingest(Article(absl::StrCat("new-", i), "pipeline")).ok());
  }
  auto result =
      storage::EnforceRetention(*db_, clock_.Now() - absl::Hours(24 * 30));
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->articles_deleted, 3u);
  EXPECT_EQ(result->alerts_deleted, 3u);

  storage::ArticleStore articles(*db_);
  EXPECT_EQ(articles.Get("old-0").status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(articles.Get("new-0"), IsOk());
  auto expired = storage::AlertLog(*db_, &CompleteAlert).ReadAfter("a", 1, 10);
  EXPECT_EQ(expired.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(expired.status().message(),
              HasSubstr("oldest alert still stored has cursor 4"));
  std::vector<v1::Alert> kept = Alerts("a");
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[0].cursor(), 4u);
  EXPECT_EQ(kept[0].article_id(), "new-0");
  EXPECT_EQ(Alerts("a", 3).size(), 2u);  // resuming right at the edge is fine

  // Sequence numbers and cursors go on after retention.
  auto next = pipeline_->Ingest(Article("new-2", "pipeline"));
  ASSERT_THAT(next, IsOk());
  EXPECT_EQ(next->sequence, 6u);
  EXPECT_EQ(Alerts("a", 5).front().cursor(), 6u);
}

// Verifies that backfill covers exactly the articles matched without the
// new rule, so each article is alerted once, and only those since the time.
TEST_F(IngestPipelineTest, BackfillAlertsEachStoredArticleOnce) {
  ASSERT_THAT(pipeline_->Ingest(Article("before-window", "pipeline")), IsOk());
  clock_.Advance(absl::Hours(48));
  const absl::Time since = clock_.Now();
  ASSERT_THAT(pipeline_->Ingest(Article("in-window-1", "pipeline")), IsOk());
  ASSERT_THAT(pipeline_->Ingest(Article("in-window-2", "no match here")),
              IsOk());
  ASSERT_THAT(pipeline_->Ingest(Article("in-window-3", "pipeline")), IsOk());

  auto rule = Rule("r9", "b", "pipeline");
  const uint64_t split =
      pipeline_->PublishRuleChange([&] { registry_.Upsert(rule); });
  EXPECT_EQ(split, 4u);
  ASSERT_THAT(pipeline_->Ingest(Article("live", "pipeline")), IsOk());
  auto backfilled =
      pipeline_->Backfill(rule, {.rule_id = "r9",
                                 .since_unix_nanos = absl::ToUnixNanos(since),
                                 .up_to = split});
  ASSERT_THAT(backfilled, IsOk());
  EXPECT_EQ(*backfilled, 2u);

  std::vector<std::string> ids;
  for (const v1::Alert& a : Alerts("b")) ids.push_back(a.article_id());
  EXPECT_THAT(ids, ElementsAre("live", "in-window-1", "in-window-3"));
}

// Issue 10 item 4: an overlapping rule's backfill gave articles the
// subscriber already had a second alert. Verifies one alert per article per
// subscriber: the backfill alerts only what the subscriber has no alert for.
TEST_F(IngestPipelineTest, BackfillSkipsArticlesTheSubscriberAlreadyHas) {
  registry_.Reset({Rule("r1", "a", "pipeline")});
  ASSERT_THAT(pipeline_->Ingest(Article("both", "gas pipeline")), IsOk());
  ASSERT_THAT(pipeline_->Ingest(Article("gas-only", "gas field")), IsOk());
  ASSERT_THAT(pipeline_->Ingest(Article("pipe-only", "pipeline")), IsOk());
  ASSERT_EQ(Alerts("a").size(), 2u);

  auto overlapping = Rule("r2", "a", "gas");
  const uint64_t split =
      pipeline_->PublishRuleChange([&] { registry_.Upsert(overlapping); });
  auto backfilled = pipeline_->Backfill(
      overlapping, {.rule_id = "r2",
                    .since_unix_nanos = absl::ToUnixNanos(absl::UnixEpoch()),
                    .up_to = split});
  ASSERT_THAT(backfilled, IsOk());
  EXPECT_EQ(*backfilled, 1u);
  std::vector<std::string> ids;
  for (const v1::Alert& a : Alerts("a")) ids.push_back(a.article_id());
  EXPECT_THAT(ids, ElementsAre("both", "pipe-only", "gas-only"));
}

// Issue 10 item 3: a backfill resumed after a crash (its job record left,
// some of its alerts already made) completes exactly: the missing alerts,
// none twice, and the job is gone.
TEST_F(IngestPipelineTest, ResumedBackfillCompletesExactlyOnce) {
  for (int i = 0; i < 600; ++i) {
    ASSERT_TRUE(
        pipeline_->Ingest(Article(absl::StrCat("p-", i), "pipeline")).ok());
  }
  auto rule = Rule("r3", "c", "pipeline");
  const uint64_t split =
      pipeline_->PublishRuleChange([&] { registry_.Upsert(rule); });
  storage::BackfillJob job{
      .rule_id = "r3",
      .since_unix_nanos = absl::ToUnixNanos(absl::UnixEpoch()),
      .up_to = 250};
  // The crashed run: alerts for articles 1..250 made, progress not stored.
  ASSERT_THAT(pipeline_->Backfill(rule, job), IsOk());
  ASSERT_EQ(Alerts("c").size(), 250u);
  job.up_to = split;
  auto resumed = pipeline_->Backfill(rule, job);
  ASSERT_THAT(resumed, IsOk());
  EXPECT_EQ(*resumed, 350u);
  std::set<std::string> ids;
  for (const v1::Alert& a : Alerts("c")) ids.insert(a.article_id());
  EXPECT_EQ(ids.size(), 600u);
  EXPECT_EQ(Alerts("c").size(), 600u);
  auto jobs = storage::LoadBackfillJobs(*db_);
  ASSERT_THAT(jobs, IsOk());
  EXPECT_TRUE(jobs->empty());
}

}  // namespace
}  // namespace nw::ingest
