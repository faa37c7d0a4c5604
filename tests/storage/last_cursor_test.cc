// Format 3 derives each subscriber's last cursor from what is stored: ingest
// writes no `cursor/` record, and a format 2 dir's records stay the truth
// after the upgrade.
#include "storage/last_cursor.h"

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rocksdb/write_batch.h"
#include "storage/commit_batch.h"
#include "storage/db.h"
#include "storage/delivery_store.h"
#include "storage/format_version.h"
#include "storage/key_codec.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace nw::storage {
namespace {

using newswatch::v1::Alert;
using newswatch::v1::Article;
using ::nw::testing::IsOk;
using ::nw::testing::TempDir;

// Commits one article with one alert per (subscriber, cursor).
void CommitOne(Db& db, uint64_t sequence,
               const std::vector<std::pair<std::string, uint64_t>>& to) {
  Article article;
  article.set_id("a-" + std::to_string(sequence));
  article.set_sequence(sequence);
  std::vector<Alert> alerts;
  for (const auto& [subscriber, cursor] : to) {
    Alert& alert = alerts.emplace_back();
    alert.set_subscriber(subscriber);
    alert.set_cursor(cursor);
    alert.set_article_sequence(sequence);
  }
  ASSERT_THAT(CommitArticles(db, {{&article, &alerts}}), IsOk());
}

std::vector<std::string> MetaKeysWithPrefix(Db& db, const std::string& prefix) {
  std::vector<std::string> keys;
  std::unique_ptr<rocksdb::Iterator> it(
      db.raw()->NewIterator(rocksdb::ReadOptions(), db.cf(Cf::kMeta)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    keys.push_back(it->key().ToString());
  }
  return keys;
}

TEST(LastCursorTest, DerivedFromAlertKeysWithoutCursorRecords) {
  TempDir dir;
  auto db = Db::Open({.path = dir.path()});
  ASSERT_THAT(db, IsOk());
  CommitOne(**db, 1, {{"alice", 1}, {"bob", 1}});
  CommitOne(**db, 2, {{"alice", 2}, {"al", 1}});
  CommitOne(**db, 3, {{"alice", 3}});
  EXPECT_TRUE(MetaKeysWithPrefix(**db, "cursor/").empty());

  auto all = ReadAllLastCursors(**db);
  ASSERT_THAT(all, IsOk());
  EXPECT_EQ(all->size(), 3u);
  EXPECT_EQ(all->at("alice"), 3u);
  EXPECT_EQ(all->at("al"), 1u);
  EXPECT_EQ(all->at("bob"), 1u);
  auto alice = ReadLastCursor(**db, "alice");
  ASSERT_THAT(alice, IsOk());
  EXPECT_EQ(*alice, 3u);
  auto nobody = ReadLastCursor(**db, "ali");
  ASSERT_THAT(nobody, IsOk());
  EXPECT_EQ(*nobody, 0u);
  auto subscribers = SubscribersWithAlerts(**db);
  ASSERT_THAT(subscribers, IsOk());
  EXPECT_EQ(*subscribers, (std::vector<std::string>{"al", "alice", "bob"}));
}

// A format 2 dir wrote `cursor/<subscriber>` with every ingest; at the
// upgrade they are the truth, also for a subscriber with no alert left.
TEST(LastCursorTest, FormatTwoCursorRecordsAreKeptAtUpgrade) {
  TempDir dir;
  {
    auto db = Db::Open({.path = dir.path()});
    ASSERT_THAT(db, IsOk());
    CommitOne(**db, 1, {{"alice", 1}});
    CommitOne(**db, 2, {{"alice", 2}});
    rocksdb::WriteBatch batch;  // as a format 2 binary left it
    batch.Put((*db)->cf(Cf::kMeta), std::string(kFormatVersionKey),
              EncodeU64(2));
    batch.Put((*db)->cf(Cf::kMeta), CursorKey("alice"), EncodeU64(2));
    batch.Put((*db)->cf(Cf::kMeta), CursorKey("bob"), EncodeU64(7));
    ASSERT_THAT((*db)->Write(batch, "test"), IsOk());
  }
  auto db = Db::Open({.path = dir.path()});
  ASSERT_THAT(db, IsOk());
  std::string stamp;
  ASSERT_TRUE((*db)
                  ->raw()
                  ->Get({}, (*db)->cf(Cf::kMeta),
                        std::string(kFormatVersionKey), &stamp)
                  .ok());
  EXPECT_EQ(DecodeU64(stamp), kFormatVersion);
  EXPECT_EQ(kFormatVersion, 3u);

  auto all = ReadAllLastCursors(**db);
  ASSERT_THAT(all, IsOk());
  EXPECT_EQ(all->size(), 2u);
  EXPECT_EQ(all->at("alice"), 2u);
  EXPECT_EQ(all->at("bob"), 7u);
  auto bob = DeliveryStore(**db).LastAlertCursor("bob");
  ASSERT_THAT(bob, IsOk());
  EXPECT_EQ(*bob, 7u);
  // New alerts go on from there without new records.
  CommitOne(**db, 3, {{"alice", 3}, {"bob", 8}});
  all = ReadAllLastCursors(**db);
  ASSERT_THAT(all, IsOk());
  EXPECT_EQ(all->at("alice"), 3u);
  EXPECT_EQ(all->at("bob"), 8u);
}

}  // namespace
}  // namespace nw::storage
