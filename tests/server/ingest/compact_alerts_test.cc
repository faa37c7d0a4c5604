// Compact alert records (storage/alert_record.h, issue 16 item 5): ingest
// stores alerts without their article's fields and completes only those
// going to an open stream. Verifies that what a stream gets live is, byte for
// byte, what the log replays later (title, url, snippets, highlights), that
// subscribers without a stream get the same from the log, that full records
// written before (format 1) still read as written, and what an alert whose
// article is gone reads as.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "rocksdb/write_batch.h"
#include "server/alerts/alert_stream.h"
#include "server/base/thread_pool.h"
#include "server/ingest/alert_builder.h"
#include "server/ingest/ingest_pipeline.h"
#include "storage/alert_log.h"
#include "storage/alert_record.h"
#include "storage/commit_batch.h"
#include "storage/key_codec.h"
#include "storage/retention.h"
#include "tests/server/index/test_rules.h"
#include "tests/server/ingest/pipeline_fixture.h"
#include "tests/testutil/daemon_process.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace nw::ingest {
namespace {

using ::nw::testing::IsOk;
using ::testing::ElementsAre;
namespace v1 = ::newswatch::v1;

const auto Rule = &index::testing::MakeRule;

// Long enough that snippets are cut (more than 240 bytes around the words).
// Articles of different ids differ enough not to be one story (whose
// second alert would be collapsed).
v1::Article NewsArticle(const std::string& id) {
  v1::Article a;
  a.set_id(id);
  a.set_title("Pipeline deal: gas prices fall");
  std::string body;
  for (int i = 0; i < 30; ++i) absl::StrAppend(&body, id, "-", i, " words ");
  absl::StrAppend(&body, "the gas pipeline opened ");
  for (int i = 0; i < 30; ++i) absl::StrAppend(&body, "text ", i, "-", id, " ");
  absl::StrAppend(&body, "and the pipeline closed.");
  a.set_body(body);
  a.set_source("wire");
  a.set_url("https://example.com/" + id);
  *a.mutable_published_at() =
      google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
          1'690'000'000'000'000'000);
  return a;
}

// Keeps every alert a stream sends; Drain completes the writes.
class KeepingSink final : public alerts::AlertSink {
 public:
  void StartAlertsWrite(std::vector<v1::Alert> alerts) override {
    absl::MutexLock lock(&mu_);
    for (v1::Alert& a : alerts) alerts_.push_back(std::move(a));
    pending_ = true;
  }
  void StartHeartbeatWrite(uint64_t) override {
    absl::MutexLock lock(&mu_);
    pending_ = true;
  }
  void FinishStream(const absl::Status&) override {}
  // Completes writes until `n` alerts arrived (10 s at most).
  std::vector<v1::Alert> Drain(alerts::AlertStream& stream, size_t n) {
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (absl::Now() < deadline) {
      bool ack = false;
      {
        absl::MutexLock lock(&mu_);
        if (alerts_.size() >= n) return alerts_;
        ack = pending_;
        pending_ = false;
      }
      if (ack) {
        stream.OnWriteDone(true);
      } else {
        absl::SleepFor(absl::Milliseconds(1));
      }
    }
    absl::MutexLock lock(&mu_);
    return alerts_;
  }

 private:
  absl::Mutex mu_;
  std::vector<v1::Alert> alerts_;
  bool pending_ = false;
};

class CompactAlertsTest : public testing::PipelineFixture {
 protected:
  // The stored value of `subscriber`'s alert `cursor`.
  std::string StoredValue(const std::string& subscriber, uint64_t cursor) {
    std::string value;
    EXPECT_TRUE(db_->raw()
                    ->Get({}, db_->cf(storage::Cf::kAlerts),
                          storage::AlertKey(subscriber, cursor), &value)
                    .ok());
    return value;
  }

  base::ThreadPool readers_{1};
};

TEST_F(CompactAlertsTest, LiveAlertEqualsReplayedAlertByteForByte) {
  registry_.Reset({Rule("r1", "live", "pipeline"), Rule("r2", "live", "gas"),
                   Rule("r3", "offline", "pipeline")});
  storage::AlertLog log(*db_, &CompleteAlert);
  auto stream = std::make_shared<alerts::AlertStream>("live", 0, log, readers_);
  ASSERT_THAT(hub_->Register(stream, /*live_only=*/true), IsOk());
  KeepingSink sink;
  stream->Start(&sink);

  std::vector<v1::Article> sent = {NewsArticle("n-1"), NewsArticle("n-2")};
  for (auto& r : pipeline_->IngestBatch(sent)) ASSERT_THAT(r, IsOk());
  std::vector<v1::Alert> live = sink.Drain(*stream, 2);
  ASSERT_EQ(live.size(), 2u);
  std::vector<v1::Alert> replayed = Alerts("live");
  ASSERT_EQ(replayed.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(live[i].SerializeAsString(), replayed[i].SerializeAsString())
        << "live:\n"
        << live[i].DebugString() << "replayed:\n"
        << replayed[i].DebugString();
  }
  // What the client sees is the whole alert, as BuildAlerts made it before.
  const v1::Alert& a = live[0];
  EXPECT_EQ(a.title(), "Pipeline deal: gas prices fall");
  EXPECT_EQ(a.url(), "https://example.com/n-1");
  EXPECT_EQ(a.source(), "wire");
  EXPECT_TRUE(a.has_published_at());
  EXPECT_THAT(a.rule_ids(), ElementsAre("r1", "r2"));
  ASSERT_EQ(a.matches_size(), 2);
  EXPECT_GT(a.matches(0).highlights_size(), 1);
  EXPECT_GT(a.matches(0).snippets_size(), 1);
  EXPECT_TRUE(a.matches(0).snippets(1).more_after());
  // The stored record is compact: no title, url or snippets.
  const std::string stored = StoredValue("live", 1);
  EXPECT_EQ(stored.front(), storage::kCompactAlertMarker);
  EXPECT_EQ(stored.find("Pipeline deal"), std::string::npos);
  EXPECT_EQ(stored.find("example.com"), std::string::npos);

  // A subscriber without a stream reads the same complete alert later.
  std::vector<v1::Alert> offline = Alerts("offline");
  ASSERT_EQ(offline.size(), 2u);
  EXPECT_EQ(offline[0].title(), a.title());
  EXPECT_EQ(offline[0].url(), a.url());
  EXPECT_EQ(offline[0].matches(0).snippets().size(),
            a.matches(0).snippets().size());
  EXPECT_EQ(offline[0].matches(0).snippets(0).SerializeAsString(),
            a.matches(0).snippets(0).SerializeAsString());
}

// A data dir from before (format 1) holds full records: they read exactly
// as they were written, not rebuilt.
TEST_F(CompactAlertsTest, FullRecordWrittenBeforeReadsAsWritten) {
  v1::Article article = NewsArticle("old-1");
  article.set_sequence(1);
  v1::Alert alert;
  alert.set_cursor(1);
  alert.set_subscriber("s");
  alert.set_article_id("old-1");
  alert.set_article_sequence(1);
  alert.set_title("Title as it was then");
  alert.set_url("https://example.com/then");
  alert.add_rule_ids("r1");
  v1::RuleMatch* m = alert.add_matches();
  m->set_rule_id("r1");
  m->add_snippets()->set_text("snippet as it was then");
  // Written the old way: the plain serialized Alert.
  rocksdb::WriteBatch batch;
  batch.Put(db_->cf(storage::Cf::kArticles), storage::EncodeU64(1),
            article.SerializeAsString());
  batch.Put(db_->cf(storage::Cf::kAlerts), storage::AlertKey("s", 1),
            alert.SerializeAsString());
  ASSERT_THAT(db_->Write(batch, "test"), IsOk());
  std::vector<v1::Alert> read = Alerts("s");
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].SerializeAsString(), alert.SerializeAsString());
}

// A compact alert whose article is gone (a reader racing retention, which
// deletes articles before their alerts) still reads: ids, rules, labels and
// highlights, without the article's fields.
TEST_F(CompactAlertsTest, CompactAlertWithoutItsArticleKeepsWhatIsStored) {
  registry_.Reset({Rule("r1", "s", "pipeline")});
  ASSERT_THAT(pipeline_->Ingest(NewsArticle("n-1")), IsOk());
  rocksdb::WriteBatch batch;
  batch.Delete(db_->cf(storage::Cf::kArticles), storage::EncodeU64(1));
  ASSERT_THAT(db_->Write(batch, "test"), IsOk());
  std::vector<v1::Alert> read = Alerts("s");
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].article_id(), "n-1");
  EXPECT_EQ(read[0].article_sequence(), 1u);
  EXPECT_THAT(read[0].rule_ids(), ElementsAre("r1"));
  ASSERT_EQ(read[0].matches_size(), 1);
  EXPECT_GT(read[0].matches(0).highlights_size(), 0);
  EXPECT_TRUE(read[0].title().empty());
  EXPECT_EQ(read[0].matches(0).snippets_size(), 0);
}

// A backfill alert about an old article outlives it when retention runs
// (retention deletes a subscriber's alerts only up to the first one about a
// kept article): it is stored full and still reads whole.
TEST_F(CompactAlertsTest, BackfillAlertOutlivesItsArticleWhole) {
  ASSERT_THAT(pipeline_->Ingest(NewsArticle("old")), IsOk());
  clock_.Advance(absl::Hours(24 * 31));
  registry_.Reset({Rule("r1", "s", "pipeline")});
  ASSERT_THAT(pipeline_->Ingest(NewsArticle("new")), IsOk());  // cursor 1
  auto rule = Rule("r2", "s", "gas");
  const uint64_t split =
      pipeline_->PublishRuleChange([&] { registry_.Upsert(rule); });
  auto backfilled = pipeline_->Backfill(
      rule, {.rule_id = "r2",
             .since_unix_nanos = absl::ToUnixNanos(absl::UnixEpoch()),
             .up_to = split});
  ASSERT_THAT(backfilled, IsOk());
  ASSERT_EQ(*backfilled, 1u);  // "old", cursor 2
  std::vector<v1::Alert> before = Alerts("s");
  ASSERT_EQ(before.size(), 2u);
  ASSERT_EQ(before[1].article_id(), "old");

  auto result =
      storage::EnforceRetention(*db_, clock_.Now() - absl::Hours(24 * 30));
  ASSERT_THAT(result, IsOk());
  ASSERT_EQ(result->articles_deleted, 1u);
  std::vector<v1::Alert> after = Alerts("s");
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[1].SerializeAsString(), before[1].SerializeAsString());
  EXPECT_EQ(after[1].title(), "Pipeline deal: gas prices fall");
  EXPECT_GT(after[1].matches(0).snippets_size(), 0);
}

}  // namespace
}  // namespace nw::ingest
