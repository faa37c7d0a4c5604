// Verifies the story window's decisions (stories.md): the earlier article of
// highest similarity >= 0.8 within 7 days of ingest time is the original,
// the earliest on ties; candidates older than the shingle cache are loaded;
// a failed commit's articles can be taken back; the rebuild from stored band
// keys decides like the live window; memory per article stays <= 256 bytes.
#include "server/stories/story_window.h"

#include <map>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testutil/status_matchers.h"

namespace nw::stories {
namespace {

using ::nw::testing::IsOk;

// A body of `n` distinct words w<seed>_0 .. (n - 5 + 1 shingles).
std::string Body(int seed, int n, int from = 0) {
  std::string s;
  for (int i = from; i < n; ++i) absl::StrAppend(&s, "w", seed, "x", i, " ");
  return s;
}

// Feeds bodies in order (sequence i+1, one minute apart) as the daemon does
// (shingle hashes in text order, not yet a set); loads re-analyze.
class Feeder {
 public:
  explicit Feeder(StoryWindowOptions options = {}) : window_(options) {}
  absl::StatusOr<StoryDecision> Feed(const std::string& body,
                                     absl::Duration after = absl::Minutes(1)) {
    bodies_.push_back(body);
    now_ += after;
    return window_.Process(bodies_.size(), now_,
                           ShingleHashesOfWords(text::AnalyzeField(body)),
                           [&](uint64_t seq) -> absl::StatusOr<ShingleSet> {
                             ++loads_;
                             if (gone_.count(seq))
                               return absl::NotFoundError("gone");
                             return ShinglesOfBody(bodies_[seq - 1]);
                           });
  }
  StoryWindow window_;
  std::vector<std::string> bodies_;
  absl::Time now_ = absl::FromUnixSeconds(1'700'000'000);
  int loads_ = 0;
  std::set<uint64_t> gone_;
};

TEST(StoryWindowTest, NearDuplicateFindsItsOriginal) {
  Feeder f;
  ASSERT_FALSE(f.Feed(Body(1, 100))->original);  // 96 shingles
  ASSERT_FALSE(f.Feed(Body(2, 100))->original);
  // Same text, another ending: 90 of 100 shingles shared (J = 0.9).
  absl::StatusOr<StoryDecision> d =
      f.Feed(Body(1, 95) + "credit line by our own correspondent");
  ASSERT_THAT(d, IsOk());
  ASSERT_TRUE(d->original);
  EXPECT_EQ(d->original->sequence, 1u);
  EXPECT_NEAR(
      d->original->similarity,
      Jaccard(ShinglesOfBody(Body(1, 100)), ShinglesOfBody(f.bodies_.back())),
      1e-12);
  EXPECT_TRUE(d->added);
}

TEST(StoryWindowTest, BelowThresholdIsNotADuplicate) {
  Feeder f;
  ASSERT_FALSE(f.Feed(Body(1, 100))->original);
  // Half the article: J = 46/96 < 0.8.
  EXPECT_FALSE(f.Feed(Body(1, 50))->original);
}

TEST(StoryWindowTest, HighestSimilarityWinsEarliestOnTies) {
  Feeder f;
  ASSERT_FALSE(f.Feed(Body(1, 100))->original);                    // 1
  ASSERT_TRUE(f.Feed(Body(1, 100))->original);                     // 2: copy
  ASSERT_EQ(f.Feed(Body(1, 92) + Body(9, 8))->original->sequence,  // 3
            1u);
  // Closest to 3 (same ending) rather than to 1.
  absl::StatusOr<StoryDecision> d = f.Feed(Body(1, 93, 1) + Body(9, 8));
  ASSERT_TRUE(d->original);
  EXPECT_EQ(d->original->sequence, 3u);
  // An exact copy of 1: it ties with every other copy of 1, of which 1 is
  // the earliest, so it adds nothing to the window (2 was not added either).
  d = f.Feed(Body(1, 100));
  EXPECT_EQ(d->original->sequence, 1u);
  EXPECT_DOUBLE_EQ(d->original->similarity, 1.0);
  EXPECT_FALSE(d->added);
}

TEST(StoryWindowTest, OriginalsOlderThanTheWindowDoNotCount) {
  Feeder f;
  ASSERT_FALSE(f.Feed(Body(1, 100))->original);
  EXPECT_TRUE(f.Feed(Body(1, 100), absl::Hours(24 * 7))->original);  // at 7d
  Feeder g;
  ASSERT_FALSE(g.Feed(Body(1, 100))->original);
  EXPECT_FALSE(
      g.Feed(Body(1, 100), absl::Hours(24 * 7) + absl::Seconds(1))->original);
  EXPECT_EQ(g.window_.size(), 1u);  // the first was evicted
}

TEST(StoryWindowTest, ShortBodiesNeverTakePart) {
  Feeder f;
  EXPECT_FALSE(f.Feed("one two three four")->added);
  EXPECT_FALSE(f.Feed("one two three four")->original);
  EXPECT_EQ(f.window_.size(), 0u);
}

TEST(StoryWindowTest, OlderCandidatesAreLoadedAndMissingOnesSkipped) {
  Feeder f({.recent_shingles = 2});
  ASSERT_FALSE(f.Feed(Body(1, 100))->original);
  ASSERT_FALSE(f.Feed(Body(2, 100))->original);
  ASSERT_FALSE(f.Feed(Body(3, 100))->original);
  EXPECT_EQ(f.loads_, 0);
  EXPECT_EQ(f.Feed(Body(1, 100))->original->sequence, 1u);  // not cached
  EXPECT_EQ(f.loads_, 1);
  f.gone_.insert(1);  // deleted by retention meanwhile
  EXPECT_FALSE(f.Feed(Body(1, 99, 1) + "x")->original);
}

TEST(StoryWindowTest, LoadErrorsFailTheCallAndAddNothing) {
  StoryWindow w({.recent_shingles = 0});
  const absl::Time t = absl::FromUnixSeconds(1'700'000'000);
  auto never = [](uint64_t) -> absl::StatusOr<ShingleSet> {
    return ShingleSet{};
  };
  ASSERT_THAT(w.Process(1, t, ShinglesOfBody(Body(1, 50)), never), IsOk());
  absl::StatusOr<StoryDecision> d =
      w.Process(2, t, ShinglesOfBody(Body(1, 50)),
                [](uint64_t) -> absl::StatusOr<ShingleSet> {
                  return absl::DataLossError("bad record");
                });
  EXPECT_EQ(d.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(w.size(), 1u);
}

TEST(StoryWindowTest, TruncateTakesBackAFailedCommit) {
  Feeder f;
  ASSERT_FALSE(f.Feed(Body(1, 100))->original);
  ASSERT_FALSE(f.Feed(Body(2, 100))->original);
  f.window_.Truncate(1);  // article 2's write failed
  f.bodies_.pop_back();
  EXPECT_EQ(f.window_.size(), 1u);
  // Sequence 2 is used again by another article; article 2's text is no
  // original any more, article 1's still is.
  ASSERT_FALSE(f.Feed(Body(3, 100))->original);
  EXPECT_FALSE(f.Feed(Body(2, 100))->original);
  EXPECT_EQ(f.Feed(Body(1, 100))->original->sequence, 1u);
}

TEST(StoryWindowTest, RebuildFromBandKeysDecidesAlike) {
  Feeder live;
  std::vector<std::pair<uint64_t, absl::Time>> added;
  for (int i = 0; i < 50; ++i) {
    absl::StatusOr<StoryDecision> d = live.Feed(Body(i, 80));
    ASSERT_TRUE(d->added);
    added.emplace_back(live.bodies_.size(), live.now_);
  }
  StoryWindow rebuilt;
  for (const auto& [seq, t] : added)
    rebuilt.Add(seq, t, SketchOf(ShinglesOfBody(live.bodies_[seq - 1])));
  const ShingleSet probe = ShinglesOfBody(Body(17, 80, 2));  // J = 74/76
  auto load = [&](uint64_t seq) -> absl::StatusOr<ShingleSet> {
    return ShinglesOfBody(live.bodies_[seq - 1]);
  };
  absl::StatusOr<StoryDecision> d =
      rebuilt.Process(51, live.now_ + absl::Minutes(1), probe, load);
  ASSERT_TRUE(d->original);
  EXPECT_EQ(d->original->sequence, 18u);
}

TEST(StoryWindowTest, MemoryPerArticleIsAtMost256Bytes) {
  StoryWindow w;
  const absl::Time t = absl::FromUnixSeconds(1'700'000'000);
  constexpr int kArticles = 200'000;
  for (int i = 0; i < kArticles; ++i) {
    BandKeys keys;
    for (int b = 0; b < kSketchBands; ++b)
      keys[b] = static_cast<uint32_t>((i + 1) * 2654435761u + b * 40503u);
    w.Add(i + 1, t, keys);
  }
  ASSERT_EQ(w.size(), static_cast<size_t>(kArticles));
  const double per_article = static_cast<double>(w.MemoryBytes()) / kArticles;
  RecordProperty("bytes_per_article", std::to_string(per_article));
  EXPECT_LE(per_article, 256.0);
}

}  // namespace
}  // namespace nw::stories
