// The disk reserve: below it writes are refused with what to do, nothing is
// written, health says so; once space is back, writes resume by themselves.
#include "storage/disk_space.h"

#include <atomic>
#include <filesystem>
#include <string>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/write_batch.h"
#include "storage/db.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace nw::storage {
namespace {

using ::nw::testing::IsOk;

using ::testing::HasSubstr;

using ::nw::testing::TempDir;

constexpr uint64_t kReserve = uint64_t{64} << 20;

TEST(DiskSpaceTest, WritesStopBelowTheReserveAndResumeWhenSpaceIsBack) {
  TempDir dir;
  std::atomic<uint64_t> free_bytes{kReserve * 4};
  auto db = Db::Open(
      {.path = dir.path() + "/db",
       .min_free_disk_bytes = kReserve,
       .free_disk_bytes = [&](const std::string&) -> absl::StatusOr<uint64_t> {
         return free_bytes.load();
       }});
  ASSERT_THAT(db, IsOk());
  auto put = [&](const std::string& key) {
    rocksdb::WriteBatch batch;
    batch.Put((*db)->cf(Cf::kMeta), key, "v");
    return (*db)->Write(batch, "test");
  };
  auto stored = [&](const std::string& key) {
    std::string value;
    return (*db)->raw()->Get({}, (*db)->cf(Cf::kMeta), key, &value).ok();
  };
  ASSERT_THAT(put("before"), IsOk());

  free_bytes = kReserve - 1;
  absl::SleepFor(
      absl::Milliseconds(150));  // the guard asks at most every 100 ms
  absl::Status refused = put("while-full");
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.message(), HasSubstr("disk almost full"));
  EXPECT_THAT(refused.message(), HasSubstr("--min-free-disk-bytes"));
  EXPECT_FALSE(stored("while-full"));
  EXPECT_FALSE((*db)->health().healthy());
  EXPECT_EQ((*db)->CheckWritable().code(),
            absl::StatusCode::kResourceExhausted);

  free_bytes = kReserve * 2;
  absl::SleepFor(absl::Milliseconds(150));
  EXPECT_THAT((*db)->CheckWritable(), IsOk());
  EXPECT_TRUE((*db)->health().healthy());
  EXPECT_THAT(put("after"), IsOk());
  EXPECT_TRUE(stored("after"));
}

// Issue 10 item 2: a daemon below its reserve must still start (the log is
// replayed; reads work) with writes refused and health down, not refuse.
TEST(DiskSpaceTest, OpenBelowTheReserveStartsWithWritesRefused) {
  TempDir dir;
  auto db = Db::Open(
      {.path = dir.path() + "/db",
       .min_free_disk_bytes = kReserve,
       .free_disk_bytes = [](const std::string&) -> absl::StatusOr<uint64_t> {
         return uint64_t{1} << 20;
       }});
  ASSERT_THAT(db, IsOk());
  EXPECT_FALSE((*db)->health().healthy());
  rocksdb::WriteBatch batch;
  batch.Put((*db)->cf(Cf::kMeta), "key", "v");
  absl::Status refused = (*db)->Write(batch, "test");
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.message(), HasSubstr("1 MiB free"));
}

TEST(DiskSpaceTest, FreeDiskBytesReadsTheFileSystem) {
  absl::StatusOr<uint64_t> free = FreeDiskBytes(::testing::TempDir());
  ASSERT_THAT(free, IsOk());
  EXPECT_GT(*free, 0u);
  EXPECT_FALSE(FreeDiskBytes("/no/such/folder").ok());
}

}  // namespace
}  // namespace nw::storage
