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
#include "server/alerts/subscription_hub.h"
#include "server/base/thread_pool.h"
#include "storage/alert_log.h"
#include "storage/commit_batch.h"
#include "storage/db.h"
#include "storage/retention.h"
#include "tests/testutil/daemon_process.h"
#include "tests/testutil/status_matchers.h"

namespace nw::alerts {
namespace {

using ::nw::testing::IsOk;

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
  bool pending() {
    absl::MutexLock lock(&mu_);
    return pending_;
  }
  // Completes the outstanding write.
  void Ack(AlertStream& stream) {
    {
      absl::MutexLock lock(&mu_);
      pending_ = false;
    }
    stream.OnWriteDone(true);
  }
  size_t received() {
    absl::MutexLock lock(&mu_);
    return cursors_.size();
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
    ASSERT_THAT(db, IsOk());
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
    ASSERT_THAT(storage::CommitArticles(*db_, {{&article, &alerts}}), IsOk());
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
  ASSERT_THAT(deleted, IsOk());
  ASSERT_EQ(deleted->alerts_deleted, 5u);

  storage::AlertLog log(*db_, nullptr);
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
  storage::AlertLog log(*db_, nullptr);
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
  storage::AlertLog log(*db_, nullptr);
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

// Issue 10 item 6: thousands of streams replaying at once starved ingest of
// threads. Verifies that with a ReplayGate of one slot only one stream
// replays at a time (one has writes outstanding), that they take turns a
// batch each in arrival order, and that every one gets all its alerts.
TEST_F(AlertStreamTest, ReplayGateLetsStreamsReplayInTurnsOfOneBatch) {
  constexpr uint64_t kAlerts = 300;
  const std::vector<std::string> subscribers = {"s1", "s2", "s3"};
  for (uint64_t seq = 1; seq <= kAlerts; ++seq) {
    v1::Article article;
    article.set_id("a-" + std::to_string(seq));
    article.set_sequence(seq);
    std::vector<v1::Alert> alerts;
    for (const std::string& subscriber : subscribers) {
      v1::Alert& alert = alerts.emplace_back();
      alert.set_subscriber(subscriber);
      alert.set_cursor(seq);
      alert.set_article_sequence(seq);
    }
    ASSERT_THAT(storage::CommitArticles(*db_, {{&article, &alerts}}), IsOk());
  }
  storage::AlertLog log(*db_, nullptr);
  ReplayGate gate(1);
  std::vector<std::shared_ptr<AlertStream>> streams;
  std::vector<std::unique_ptr<RecordingSink>> sinks;
  for (const std::string& subscriber : subscribers) {
    streams.push_back(std::make_shared<AlertStream>(
        subscriber, 0, log, readers_,
        AlertStreamOptions{.catch_up_batch = 100, .replay_gate = &gate}));
    sinks.push_back(std::make_unique<RecordingSink>());
    streams.back()->SetPublished(kAlerts, /*live_only=*/false);
    streams.back()->Start(sinks.back().get());
  }
  // Completes writes one at a time, noting whose they are.
  std::vector<size_t> turns;  // the stream of each completed write
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (turns.size() < 3 * kAlerts && absl::Now() < deadline) {
    size_t pending = 0, which = 0;
    for (size_t i = 0; i < sinks.size(); ++i) {
      if (sinks[i]->pending()) {
        ++pending;
        which = i;
      }
    }
    EXPECT_LE(pending, 1u) << "two streams replay at once";
    if (pending == 0) {
      absl::SleepFor(absl::Milliseconds(1));
      continue;
    }
    sinks[which]->Ack(*streams[which]);
    turns.push_back(which);
  }
  for (auto& sink : sinks) EXPECT_EQ(sink->received(), kAlerts);
  // Turns of 100 writes (one batch), in arrival order, round robin.
  ASSERT_EQ(turns.size(), 3 * kAlerts);
  for (size_t i = 0; i < turns.size(); ++i)
    EXPECT_EQ(turns[i], (i / 100) % 3) << "write " << i;
  EXPECT_EQ(gate.waiting(), 0u);
  for (auto& stream : streams) stream->Detach();
}

// Issue 10 item 6: no cap per subscriber let one analyst (or a leaked token)
// hold every stream. Verifies the hub refuses a subscriber's streams past
// its cap with RESOURCE_EXHAUSTED while others still get theirs.
TEST_F(AlertStreamTest, HubCapsStreamsPerSubscriber) {
  storage::AlertLog log(*db_, nullptr);
  SubscriptionHub hub(absl::flat_hash_map<std::string, uint64_t>{});
  auto open = [&](const std::string& subscriber) {
    auto stream = std::make_shared<AlertStream>(subscriber, 0, log, readers_);
    return std::make_pair(stream, hub.Register(stream, /*live_only=*/true,
                                               /*max_streams=*/10,
                                               /*max_per_subscriber=*/2));
  };
  auto a1 = open("a"), a2 = open("a"), a3 = open("a"), b1 = open("b");
  EXPECT_THAT(a1.second, IsOk());
  EXPECT_THAT(a2.second, IsOk());
  EXPECT_EQ(a3.second.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(a3.second.message(), HasSubstr("--max-streams-per-subscriber"));
  EXPECT_THAT(b1.second, IsOk());
  EXPECT_EQ(hub.ConnectedStreams(), 3u);
  hub.Unregister(a1.first);
  EXPECT_THAT(open("a").second, IsOk());
}

}  // namespace
}  // namespace nw::alerts
