// CommitArticles: one write holds articles, alerts and the counters they
// advance; the last cursor of each subscriber survives a reopen, and each
// subscriber's alerts read back in cursor order, interleaved writes or not.
#include "storage/commit_batch.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "storage/alert_log.h"
#include "storage/db.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace nw::storage {
namespace {

using ::nw::testing::IsOk;

using newswatch::v1::Alert;
using newswatch::v1::Article;

using ::nw::testing::TempDir;

Alert MakeAlert(const std::string& subscriber, uint64_t cursor,
                uint64_t sequence) {
  Alert alert;
  alert.set_subscriber(subscriber);
  alert.set_cursor(cursor);
  alert.set_article_sequence(sequence);
  return alert;
}

TEST(CommitBatchTest, GroupOfArticlesKeepsEachSubscribersLastCursorAndOrder) {
  TempDir dir;
  {
    absl::StatusOr<std::unique_ptr<Db>> db = Db::Open({.path = dir.path()});
    ASSERT_THAT(db, IsOk());
    // Two groups; in each, several articles alert the same subscribers, so
    // their alerts interleave in the write.
    uint64_t sequence = 0;
    uint64_t cursor_a = 0, cursor_b = 0;
    for (int group = 0; group < 2; ++group) {
      std::vector<Article> articles(3);
      std::vector<std::vector<Alert>> alerts(3);
      std::vector<ArticleCommit> commits;
      for (int i = 0; i < 3; ++i) {
        articles[i].set_id("a-" + std::to_string(++sequence));
        articles[i].set_sequence(sequence);
        alerts[i].push_back(MakeAlert("alice", ++cursor_a, sequence));
        if (i != 1) alerts[i].push_back(MakeAlert("bob", ++cursor_b, sequence));
        alerts[i].push_back(MakeAlert("alice", ++cursor_a, sequence));
      }
      for (int i = 0; i < 3; ++i) commits.push_back({&articles[i], &alerts[i]});
      ASSERT_THAT(CommitArticles(**db, commits), IsOk());
    }
  }
  absl::StatusOr<std::unique_ptr<Db>> db = Db::Open({.path = dir.path()});
  ASSERT_THAT(db, IsOk());
  AlertLog log(**db, nullptr);
  absl::StatusOr<absl::flat_hash_map<std::string, uint64_t>> last =
      log.LoadLastCursors();
  ASSERT_THAT(last, IsOk());
  EXPECT_EQ(last->size(), 2u);
  EXPECT_EQ(last->at("alice"), 12u);
  EXPECT_EQ(last->at("bob"), 4u);

  absl::StatusOr<std::vector<Alert>> alice = log.ReadAfter("alice", 0, 100);
  ASSERT_THAT(alice, IsOk());
  ASSERT_EQ(alice->size(), 12u);
  for (size_t i = 0; i < alice->size(); ++i)
    EXPECT_EQ((*alice)[i].cursor(), i + 1);
  EXPECT_EQ((*alice)[11].article_sequence(), 6u);
  absl::StatusOr<std::vector<Alert>> bob = log.ReadAfter("bob", 2, 100);
  ASSERT_THAT(bob, IsOk());
  ASSERT_EQ(bob->size(), 2u);
  EXPECT_EQ((*bob)[0].cursor(), 3u);
  EXPECT_EQ((*bob)[0].article_sequence(), 4u);
  EXPECT_EQ((*bob)[1].article_sequence(), 6u);
}

}  // namespace
}  // namespace nw::storage
