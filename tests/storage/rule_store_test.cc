// RuleStore::LoadAll: every stored rule, ordered by id, parsed on several
// threads; a record that does not parse is named by its id.
#include "storage/rule_store.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/write_batch.h"
#include "storage/db.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace nw::storage {
namespace {

using ::nw::testing::IsOk;
using ::nw::testing::TempDir;
using ::testing::HasSubstr;

// Enough rules that LoadAll splits the parsing over several threads.
constexpr int kRules = 20000;

std::string Id(int i) { return absl::StrCat("r", 100000 + i); }

std::vector<newswatch::v1::WatchRule> Rules() {
  std::vector<newswatch::v1::WatchRule> rules;
  for (int i = 0; i < kRules; ++i) {
    newswatch::v1::WatchRule& r = rules.emplace_back();
    r.set_id(Id(i));
    r.set_subscriber(absl::StrCat("s", i % 7));
    r.set_query(absl::StrCat("word", i, " OR other", i));
    r.set_label(absl::StrCat("label ", i));
  }
  return rules;
}

TEST(RuleStoreTest, LoadAllReturnsEveryRuleInIdOrder) {
  TempDir dir;
  auto db = Db::Open({.path = dir.path(), .sync = false});
  ASSERT_THAT(db, IsOk());
  RuleStore store(**db);
  const std::vector<newswatch::v1::WatchRule> rules = Rules();
  ASSERT_THAT(store.PutMany(rules), IsOk());
  absl::StatusOr<std::vector<newswatch::v1::WatchRule>> loaded =
      store.LoadAll();
  ASSERT_THAT(loaded, IsOk());
  ASSERT_EQ(loaded->size(), rules.size());
  for (size_t i = 0; i < rules.size(); ++i) {  // ids sort as numbered here
    EXPECT_EQ((*loaded)[i].SerializeAsString(), rules[i].SerializeAsString())
        << i;
  }
}

TEST(RuleStoreTest, LoadAllNamesTheFirstRecordThatDoesNotParse) {
  TempDir dir;
  auto db = Db::Open({.path = dir.path(), .sync = false});
  ASSERT_THAT(db, IsOk());
  RuleStore store(**db);
  ASSERT_THAT(store.PutMany(Rules()), IsOk());
  rocksdb::WriteBatch batch;  // not a WatchRule: a truncated varint
  batch.Put((*db)->cf(Cf::kRules), Id(15000), std::string("\x0a\xff", 2));
  batch.Put((*db)->cf(Cf::kRules), Id(17000), std::string("\x0a\xff", 2));
  ASSERT_THAT((*db)->Write(batch, "test"), IsOk());
  absl::StatusOr<std::vector<newswatch::v1::WatchRule>> loaded =
      store.LoadAll();
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(loaded.status().message()),
              HasSubstr(absl::StrCat("stored rule ", Id(15000), " ")));
}

}  // namespace
}  // namespace nw::storage
