// AlertStream against a real alert log: a stream from cursor 0 replays what
// retention kept and then goes live; a stream from a deleted cursor is told
// where to resume.
#include "server/alerts/alert_stream.h"

#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "server/base/thread_pool.h"
#include "storage/alert_log.h"
#include "storage/commit_batch.h"
#include "storage/db.h"
#include "storage/retention.h"
#include "tests/testutil/daemon_process.h"

namespace nw::alerts {
namespace {

namespace v1 = ::newswatch::v1;
using ::testing::HasSubstr;

// Records what the stream sends; the test completes each write.
class RecordingSink final : public AlertSink {
 public:
  void StartAlertsWrite(std::vector<v1::Alert> alerts) override {
    absl::MutexLock lock(&mu_);
    for (v1::Alert& a : alerts) cursors_.push_back(a.cursor());
    pending_ = true;
  }
  void StartHeartbeatWrite(uint64_t) override {
    absl::MutexLock lock(&mu_);
    pending_ = true;
  }
  void FinishStream(const absl::Status& status) override {
    absl::MutexLock lock(&mu_);
    finished_ = status;
  }
  // Completes writes until `n` alerts arrived or the stream finished (10 s at
  // most).
  std::vector<uint64_t> Receive(AlertStream& stream, size_t n) {
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (absl::Now() < deadline) {
      bool ack = false;
      {
        absl::MutexLock lock(&mu_);
        if (cursors_.size() >= n || finished_.has_value()) return cursors_;
        if (pending_) {
          pending_ = false;
          ack = true;
        }
      }
      if (ack) {
        stream.OnWriteDone(true);
      } else {
        absl::SleepFor(absl::Milliseconds(1));
      }
    }
    absl::MutexLock lock(&mu_);
    return cursors_;
  }
  std::optional<absl::Status> finished() {
    absl::MutexLock lock(&mu_);
    return finished_;
  }

 private:
  absl::Mutex mu_;
  std::vector<uint64_t> cursors_;
  bool pending_ = false;
  std::optional<absl::Status> finished_;
};

class AlertStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = storage::Db::Open({.path = dir_.path(), .sync = false});
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = *std::move(db);
  }
  // Commits article `sequence` (ingested at `ingested`) with one alert of "s".
  void Commit(uint64_t sequence, absl::Time ingested) {
    v1::Article article;
    article.set_id("a-" + std::to_string(sequence));
    article.set_sequence(sequence);
    *article.mutable_ingested_at() =
        google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
            absl::ToUnixNanos(ingested));
    std::vector<v1::Alert> alerts(1);
    alerts[0].set_subscriber("s");
    alerts[0].set_cursor(sequence);
    alerts[0].set_article_sequence(sequence);
    ASSERT_TRUE(storage::CommitArticles(*db_, {{&article, &alerts}}).ok());
  }

  testing::TempDir dir_;
  std::unique_ptr<storage::Db> db_;
  base::ThreadPool readers_{1};
};

TEST_F(AlertStreamTest, FromZeroAfterRetentionReplaysWhatIsKeptThenGoesLive) {
  const absl::Time old = absl::Now() - absl::Hours(48);
  for (uint64_t i = 1; i <= 5; ++i) Commit(i, old);
  for (uint64_t i = 6; i <= 8; ++i) Commit(i, absl::Now());
  auto deleted = storage::EnforceRetention(*db_, absl::Now() - absl::Hours(24));
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  ASSERT_EQ(deleted->alerts_deleted, 5u);

  storage::AlertLog log(*db_);
  auto stream = std::make_shared<AlertStream>("s", 0, log, readers_);
  RecordingSink sink;
  stream->SetPublished(8, /*live_only=*/false);
  stream->Start(&sink);
  EXPECT_THAT(sink.Receive(*stream, 3), ::testing::ElementsAre(6, 7, 8));
  // Then live.
  Commit(9, absl::Now());
  v1::Alert live;
  live.set_subscriber("s");
  live.set_cursor(9);
  stream->Offer(live);
  EXPECT_THAT(sink.Receive(*stream, 4), ::testing::ElementsAre(6, 7, 8, 9));
  EXPECT_FALSE(sink.finished().has_value());
  stream->Detach();
}

TEST_F(AlertStreamTest, FromZeroWhenRetentionKeptNothingGoesLive) {
  const absl::Time old = absl::Now() - absl::Hours(48);
  for (uint64_t i = 1; i <= 3; ++i) Commit(i, old);
  ASSERT_TRUE(
      storage::EnforceRetention(*db_, absl::Now() - absl::Hours(24)).ok());
  storage::AlertLog log(*db_);
  auto stream = std::make_shared<AlertStream>("s", 0, log, readers_);
  RecordingSink sink;
  stream->SetPublished(3, /*live_only=*/false);
  stream->Start(&sink);
  Commit(4, absl::Now());
  v1::Alert live;
  live.set_subscriber("s");
  live.set_cursor(4);
  // The first read finds nothing kept; the live alert continues from there.
  absl::SleepFor(absl::Milliseconds(50));
  stream->Offer(live);
  EXPECT_THAT(sink.Receive(*stream, 1), ::testing::ElementsAre(4));
  stream->Detach();
}

TEST_F(AlertStreamTest, FromADeletedCursorIsOutOfRangeNamingWhereToResume) {
  const absl::Time old = absl::Now() - absl::Hours(48);
  for (uint64_t i = 1; i <= 5; ++i) Commit(i, old);
  Commit(6, absl::Now());
  ASSERT_TRUE(
      storage::EnforceRetention(*db_, absl::Now() - absl::Hours(24)).ok());
  storage::AlertLog log(*db_);
  auto stream = std::make_shared<AlertStream>("s", 2, log, readers_);
  RecordingSink sink;
  stream->SetPublished(6, /*live_only=*/false);
  stream->Start(&sink);
  sink.Receive(*stream, 1);
  ASSERT_TRUE(sink.finished().has_value());
  EXPECT_EQ(sink.finished()->code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(sink.finished()->message(), HasSubstr("resume from 5"));
  stream->Detach();
}

}  // namespace
}  // namespace nw::alerts
