// Start-up anchor costs come from the newest stored articles, and only once
// there are enough of them.
#include "server/catalog/anchor_costs.h"

#include <filesystem>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "storage/commit_batch.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace nw::catalog {
namespace {

using ::nw::testing::IsOk;

using ::nw::testing::TempDir;

// Stores articles 1..n; article i says "common" and, for i > n - 10, "recent".
void Store(storage::Db& db, int n) {
  std::vector<newswatch::v1::Article> articles(n);
  std::vector<newswatch::v1::Alert> none;
  std::vector<storage::ArticleCommit> commits;
  for (int i = 0; i < n; ++i) {
    articles[i].set_id("a-" + std::to_string(i + 1));
    articles[i].set_sequence(i + 1);
    articles[i].set_body(i >= n - 10 ? "common recent" : "common");
    commits.push_back({&articles[i], &none});
  }
  ASSERT_THAT(storage::CommitArticles(db, commits), IsOk());
}

index::Feature Term(const std::string& text) {
  return index::Feature{.kind = index::FeatureKind::kTerm, .text = text};
}

TEST(AnchorCostsTest, SamplesTheNewestStoredArticles) {
  TempDir dir;
  auto db = storage::Db::Open({.path = dir.path()});
  ASSERT_THAT(db, IsOk());
  Store(**db, 150);
  auto model = CostModelFromRecentArticles(**db, /*max_articles=*/20,
                                           /*min_articles=*/5);
  ASSERT_THAT(model, IsOk());
  ASSERT_NE(*model, nullptr);
  EXPECT_EQ((*model)->sample_articles(), 20u);
  // Half of the newest 20 say "recent"; all say "common".
  EXPECT_NEAR((*model)->Cost(Term("recent")), 10.0 / 21, 0.01);
  EXPECT_NEAR((*model)->Cost(Term("common")), 20.0 / 21, 0.01);
}

TEST(AnchorCostsTest, TooFewArticlesKeepTheStaticEstimate) {
  TempDir dir;
  auto db = storage::Db::Open({.path = dir.path()});
  ASSERT_THAT(db, IsOk());
  auto empty = CostModelFromRecentArticles(**db);
  ASSERT_THAT(empty, IsOk());
  EXPECT_EQ(*empty, nullptr);
  Store(**db, 50);
  auto few = CostModelFromRecentArticles(**db, 2000, 100);
  ASSERT_THAT(few, IsOk());
  EXPECT_EQ(*few, nullptr);
}

}  // namespace
}  // namespace nw::catalog
