// The data dir's format stamp: new and pre-stamp dirs are stamped and open;
// a dir of a newer format is refused before anything reads it.
#include "storage/format_version.h"

#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/write_batch.h"
#include "storage/db.h"
#include "storage/key_codec.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace nw::storage {
namespace {

using ::nw::testing::IsOk;

using ::testing::HasSubstr;

// A fresh folder, removed with its contents at the end of the test.
using ::nw::testing::TempDir;

std::optional<uint64_t> StoredVersion(Db& db) {
  std::string value;
  if (!db.raw()
           ->Get({}, db.cf(Cf::kMeta), std::string(kFormatVersionKey), &value)
           .ok()) {
    return std::nullopt;
  }
  return DecodeU64(value);
}

TEST(FormatVersionTest, NewDataDirIsStampedWithThisFormat) {
  TempDir dir;
  absl::StatusOr<std::unique_ptr<Db>> db = Db::Open({.path = dir.path()});
  ASSERT_THAT(db, IsOk());
  EXPECT_EQ(StoredVersion(**db), kFormatVersion);
}

// Format 2 (compact alert records) reads every format 1 record; the stamp
// is raised at open so that a format 1 binary refuses the dir from then on.
TEST(FormatVersionTest, FormatOneDataDirIsUpgradedAtOpen) {
  TempDir dir;
  {
    auto db = Db::Open({.path = dir.path()});
    ASSERT_THAT(db, IsOk());
    rocksdb::WriteBatch batch;
    batch.Put((*db)->cf(Cf::kMeta), std::string(kFormatVersionKey),
              EncodeU64(1));
    ASSERT_THAT((*db)->Write(batch, "test"), IsOk());
  }
  auto db = Db::Open({.path = dir.path()});
  ASSERT_THAT(db, IsOk());
  EXPECT_GE(kFormatVersion, 2u);
  EXPECT_EQ(StoredVersion(**db), kFormatVersion);
}

TEST(FormatVersionTest, UnstampedDataDirIsFormatOneAndOpens) {
  TempDir dir;
  {
    auto db = Db::Open({.path = dir.path()});
    ASSERT_THAT(db, IsOk());
    rocksdb::WriteBatch batch;  // as written before stamping existed
    batch.Delete((*db)->cf(Cf::kMeta), std::string(kFormatVersionKey));
    ASSERT_THAT((*db)->Write(batch, "test"), IsOk());
  }
  auto db = Db::Open({.path = dir.path()});
  ASSERT_THAT(db, IsOk());
  // Format 1, upgraded to this binary's at open.
  EXPECT_EQ(StoredVersion(**db), kFormatVersion);
}

TEST(FormatVersionTest, NewerFormatIsRefusedWithWhatToDo) {
  TempDir dir;
  {
    auto db = Db::Open({.path = dir.path()});
    ASSERT_THAT(db, IsOk());
    rocksdb::WriteBatch batch;
    batch.Put((*db)->cf(Cf::kMeta), std::string(kFormatVersionKey),
              EncodeU64(kFormatVersion + 1));
    ASSERT_THAT((*db)->Write(batch, "test"), IsOk());
  }
  auto db = Db::Open({.path = dir.path()});
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(db.status().message(), HasSubstr("newer newswatchd"));
  EXPECT_THAT(db.status().message(), HasSubstr("restore a backup"));
}

TEST(FormatVersionTest, MalformedStampIsDataLoss) {
  TempDir dir;
  {
    auto db = Db::Open({.path = dir.path()});
    ASSERT_THAT(db, IsOk());
    rocksdb::WriteBatch batch;
    batch.Put((*db)->cf(Cf::kMeta), std::string(kFormatVersionKey), "v1");
    ASSERT_THAT((*db)->Write(batch, "test"), IsOk());
  }
  auto db = Db::Open({.path = dir.path()});
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace nw::storage
