// StorageHealth and Db's health reporting, on a real RocksDB whose file
// system fails write-ahead-log writes on demand (leveldb's SpecialEnv idea).
#include "storage/storage_health.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"
#include "storage/commit_batch.h"
#include "storage/db.h"
#include "tests/testutil/daemon_process.h"
#include "tests/testutil/status_matchers.h"

namespace nw::storage {
namespace {

using ::nw::testing::IsOk;

// Fails Append/Sync of files whose name ends in `suffix` (".log": the WAL,
// ".sst": table files written by flushes) while `fail` is set.
class FaultyFs final : public rocksdb::FileSystemWrapper {
 public:
  FaultyFs(std::string suffix, std::shared_ptr<std::atomic<bool>> fail)
      : FileSystemWrapper(rocksdb::FileSystem::Default()),
        suffix_(std::move(suffix)),
        fail_(std::move(fail)) {}
  const char* Name() const override { return "FaultyFs"; }

  rocksdb::IOStatus NewWritableFile(
      const std::string& name, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->NewWritableFile(name, options, result, dbg);
    if (s.ok() && absl::EndsWith(name, suffix_)) {
      *result = std::make_unique<File>(std::move(*result), fail_);
    }
    return s;
  }

 private:
  class File final : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> target,
         std::shared_ptr<std::atomic<bool>> fail)
        : FSWritableFileOwnerWrapper(std::move(target)),
          fail_(std::move(fail)) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
      if (*fail_) return Injected();
      return FSWritableFileOwnerWrapper::Append(data, options, dbg);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data,
                             const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo& info,
                             rocksdb::IODebugContext* dbg) override {
      if (*fail_) return Injected();
      return FSWritableFileOwnerWrapper::Append(data, options, info, dbg);
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
      if (*fail_) return Injected();
      return FSWritableFileOwnerWrapper::Sync(options, dbg);
    }

   private:
    // ENOSPC, as on a full disk. RocksDB recovers from it after a flush; after
    // a failed WAL write it stops writes until the database is reopened.
    static rocksdb::IOStatus Injected() {
      return rocksdb::IOStatus::NoSpace("injected");
    }
    std::shared_ptr<std::atomic<bool>> fail_;
  };

  const std::string suffix_;
  std::shared_ptr<std::atomic<bool>> fail_;
};

newswatch::v1::Article Article(uint64_t sequence) {
  newswatch::v1::Article a;
  a.set_id("a-" + std::to_string(sequence));
  a.set_sequence(sequence);
  a.set_title("title");
  return a;
}

absl::Status Commit(Db& db, uint64_t sequence) {
  const newswatch::v1::Article article = Article(sequence);
  const std::vector<newswatch::v1::Alert> no_alerts;
  return CommitArticles(db, {{.article = &article, .alerts = &no_alerts}});
}

// Verifies a failed WAL write turns health unhealthy (the listener is told
// once, with the error). RocksDB stops writes after a WAL failure for good:
// health stays down after the disk recovers, until the database is reopened
// (newswatchd restarted), which then is healthy and keeps what was committed.
TEST(StorageHealthTest, FailedWalWriteIsUnhealthyUntilReopened) {
  testing::TempDir dir;
  auto fail = std::make_shared<std::atomic<bool>>(false);
  std::unique_ptr<rocksdb::Env> env =
      rocksdb::NewCompositeEnv(std::make_shared<FaultyFs>(".log", fail));
  absl::StatusOr<std::unique_ptr<Db>> db =
      Db::Open({.path = dir.path(), .env = env.get()});
  ASSERT_THAT(db, IsOk());
  std::vector<bool> changes;
  (*db)->health().SetListener([&](bool healthy, const absl::Status& cause) {
    changes.push_back(healthy);
  });
  EXPECT_EQ(changes,
            std::vector<bool>{true});  // told the current state at once

  ASSERT_THAT(Commit(**db, 1), IsOk());
  EXPECT_TRUE((*db)->health().healthy());

  *fail = true;
  EXPECT_FALSE(Commit(**db, 2).ok());
  EXPECT_FALSE((*db)->health().healthy());
  EXPECT_GE((*db)->health().errors(), 1u);
  EXPECT_FALSE((*db)->health().cause().ok());
  EXPECT_EQ(changes, (std::vector<bool>{true, false}));

  *fail = false;
  EXPECT_FALSE((*db)->CheckWritable().ok());
  EXPECT_FALSE(Commit(**db, 3).ok());
  EXPECT_FALSE((*db)->health().healthy());
  EXPECT_EQ(changes, (std::vector<bool>{true, false}));
  (*db)->health().SetListener(nullptr);
  db->reset();

  absl::StatusOr<std::unique_ptr<Db>> reopened =
      Db::Open({.path = dir.path(), .env = env.get()});
  ASSERT_THAT(reopened, IsOk());
  EXPECT_TRUE((*reopened)->health().healthy());
  EXPECT_THAT(Commit(**reopened, 2), IsOk());
}

// Verifies a failed flush (a background error: RocksDB stops writes) turns
// health unhealthy, and CheckWritable (what the daemon's probe runs) turns
// it healthy again once table files can be written.
TEST(StorageHealthTest, FailedFlushIsUnhealthyUntilCheckWritableResumes) {
  testing::TempDir dir;
  auto fail = std::make_shared<std::atomic<bool>>(false);
  std::unique_ptr<rocksdb::Env> env =
      rocksdb::NewCompositeEnv(std::make_shared<FaultyFs>(".sst", fail));
  absl::StatusOr<std::unique_ptr<Db>> db =
      Db::Open({.path = dir.path(), .env = env.get()});
  ASSERT_THAT(db, IsOk());
  std::vector<bool> changes;
  (*db)->health().SetListener([&](bool healthy, const absl::Status& cause) {
    changes.push_back(healthy);
  });
  ASSERT_THAT(Commit(**db, 1), IsOk());

  *fail = true;
  EXPECT_FALSE((*db)
                   ->raw()
                   ->Flush(rocksdb::FlushOptions(), (*db)->cf(Cf::kArticles))
                   .ok());
  EXPECT_FALSE((*db)->health().healthy());
  EXPECT_FALSE((*db)->CheckWritable().ok());  // still failing
  EXPECT_FALSE((*db)->health().healthy());

  // RocksDB retries out-of-space errors on its own (CheckWritable is Busy
  // meanwhile); either path turns health back, whichever finishes first.
  *fail = false;
  absl::Status resumed;
  for (int i = 0; i < 600 && !(*db)->health().healthy(); ++i) {
    resumed = (*db)->CheckWritable();
    if (!(*db)->health().healthy())
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE((*db)->health().healthy()) << resumed;
  EXPECT_EQ(changes, (std::vector<bool>{true, false, true}));
  EXPECT_THAT(Commit(**db, 2), IsOk());
  EXPECT_GT((*db)->Sizes()[static_cast<int>(Cf::kArticles)].live_sst_bytes, 0u);
  (*db)->health().SetListener(nullptr);
}

// Verifies the state machine: unhealthy while either a write failed last
// or a background error is outstanding.
TEST(StorageHealthTest, WriteAndBackgroundErrorsCombine) {
  StorageHealth health;
  EXPECT_TRUE(health.healthy());
  health.ReportWrite(absl::OkStatus());
  EXPECT_TRUE(health.healthy());
  health.ReportBackgroundError(absl::ResourceExhaustedError("no space"));
  EXPECT_FALSE(health.healthy());
  health.ReportWrite(absl::OkStatus());  // a write alone does not clear it
  EXPECT_FALSE(health.healthy());
  EXPECT_EQ(health.cause().code(), absl::StatusCode::kResourceExhausted);
  health.ReportWrite(absl::InternalError("io"));
  health.ReportBackgroundRecovered();
  EXPECT_FALSE(health.healthy());
  EXPECT_EQ(health.cause().code(), absl::StatusCode::kInternal);
  health.ReportWrite(absl::OkStatus());
  EXPECT_TRUE(health.healthy());
  EXPECT_THAT(health.cause(), IsOk());
  EXPECT_EQ(health.errors(), 2u);
}

}  // namespace
}  // namespace nw::storage
