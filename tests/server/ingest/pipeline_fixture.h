// File: tests/server/ingest/pipeline_fixture.h
//
// A real IngestPipeline over a fresh RocksDB data dir (unsynced), an empty
// rule registry, a subscription hub and a fake clock at 2023-11-14, for the
// ingest tests. Alerts() reads a subscriber's alerts back as clients get them
// (compact ones completed from the stored article). Reopen() restarts the
// pipeline on the same data dir, as a daemon start does.
#ifndef NW_TESTS_SERVER_INGEST_PIPELINE_FIXTURE_H_
#define NW_TESTS_SERVER_INGEST_PIPELINE_FIXTURE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/alerts/subscription_hub.h"
#include "server/ingest/alert_builder.h"
#include "server/ingest/ingest_pipeline.h"
#include "storage/alert_log.h"
#include "storage/db.h"
#include "tests/testutil/daemon_process.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace nw::testing {

// An article titled "Report" with `body`.
inline newswatch::v1::Article ReportArticle(const std::string& id,
                                            const std::string& body) {
  newswatch::v1::Article a;
  a.set_id(id);
  a.set_title("Report");
  a.set_body(body);
  return a;
}

class PipelineFixture : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  // Closes the pipeline, hub and data dir (if open) and opens them again
  // with each subscriber's last cursor read from the dir, as the daemon
  // does at start.
  void Reopen() {
    pipeline_.reset();
    hub_.reset();
    db_.reset();
    auto db = nw::storage::Db::Open({.path = dir_.path(), .sync = false});
    ASSERT_THAT(db, IsOk());
    db_ = *std::move(db);
    auto cursors = nw::storage::AlertLog(*db_, nullptr).LoadLastCursors();
    ASSERT_THAT(cursors, IsOk());
    hub_ = std::make_unique<nw::alerts::SubscriptionHub>(*cursors);
    auto pipeline = nw::ingest::IngestPipeline::Create(
        *db_, registry_, *hub_, *std::move(cursors), {}, clock_);
    ASSERT_THAT(pipeline, IsOk());
    pipeline_ = *std::move(pipeline);
  }

  // `subscriber`'s alerts after cursor `after`, as AlertLog serves them.
  std::vector<newswatch::v1::Alert> Alerts(const std::string& subscriber,
                                           uint64_t after = 0) {
    auto alerts = nw::storage::AlertLog(*db_, &nw::ingest::CompleteAlert)
                      .ReadAfter(subscriber, after, 100000);
    EXPECT_THAT(alerts, IsOk());
    return alerts.ok() ? *alerts : std::vector<newswatch::v1::Alert>{};
  }

  TempDir dir_;
  nw::base::FakeClock clock_{absl::FromUnixSeconds(1'700'000'000)};
  std::unique_ptr<nw::storage::Db> db_;
  nw::index::RuleRegistry registry_;
  std::unique_ptr<nw::alerts::SubscriptionHub> hub_;
  std::unique_ptr<nw::ingest::IngestPipeline> pipeline_;
};

}  // namespace nw::testing

#endif  // NW_TESTS_SERVER_INGEST_PIPELINE_FIXTURE_H_
