// Verifies the shingles of a body (stories.md "Definition"): five consecutive
// words as the rule language's analyzer gives them, so the same text in
// another form (case, width, diacritics, apostrophes, punctuation, line
// breaks) has the same shingles; short bodies have none.
#include "server/stories/shingles.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nw::stories {
namespace {

TEST(ShinglesTest, FewerThanFiveWordsHaveNone) {
  EXPECT_TRUE(ShinglesOfBody("").empty());
  EXPECT_TRUE(ShinglesOfBody("one two three four").empty());
  // Punctuation and symbols are not words (§1): still four words.
  EXPECT_TRUE(ShinglesOfBody("one, two -- three & four ... !!!").empty());
  EXPECT_EQ(ShinglesOfBody("one two three four five").size(), 1u);
  EXPECT_EQ(ShinglesOfBody("one two three four five six").size(), 2u);
}

TEST(ShinglesTest, NormalizedLikeRuleWords) {
  // Case, full width, diacritics, curly apostrophe + 's, punctuation and
  // white space all disappear in §1 analysis.
  EXPECT_EQ(ShinglesOfBody("Café in Myanmar’s ＡＳＥＡＮ capital, today"),
            ShinglesOfBody("cafe IN myanmar asean\n\n  CAPITAL today."));
  EXPECT_NE(ShinglesOfBody("cafe in myanmar asean capital"),
            ShinglesOfBody("cafe in myanmar asean capitol"));
}

TEST(ShinglesTest, MultibyteWords) {
  // Greek, Cyrillic and Japanese (dictionary segmentation) words count as
  // words; the same text gives the same set, a changed word another.
  const std::string greek = "Η Αθήνα είναι η πρωτεύουσα της Ελλάδας";
  EXPECT_EQ(ShinglesOfBody(greek).size(), 3u);  // 7 words
  EXPECT_EQ(ShinglesOfBody(greek), ShinglesOfBody("η αθηνα ειναι η "
                                                  "πρωτευουσα της ελλαδας"));
  EXPECT_EQ(ShinglesOfBody("Москва столица России и крупнейший город").size(),
            2u);
  const ShingleSet ja = ShinglesOfBody("東京は日本の首都であり最大の都市です");
  EXPECT_FALSE(ja.empty());
  EXPECT_EQ(ja, ShinglesOfBody("東京は日本の首都であり最大の都市です"));
  EXPECT_NE(ja, ShinglesOfBody("大阪は日本の首都であり最大の都市です"));
}

TEST(ShinglesTest, OrderMattersAndRepeatsCountOnce) {
  EXPECT_NE(ShinglesOfBody("a b c d e"), ShinglesOfBody("b a c d e"));
  // "a b c d e a b c d e": shingles abcde bcdea cdeab deabc eabcd abcde.
  EXPECT_EQ(ShinglesOfBody("a b c d e a b c d e").size(), 5u);
  const ShingleSet s = ShinglesOfBody("w1 w2 w3 w4 w5 w6 w7 w8 w9");
  EXPECT_TRUE(std::is_sorted(s.begin(), s.end()));
}

TEST(ShinglesTest, JaccardOfShingleSets) {
  const ShingleSet a = ShinglesOfBody("w1 w2 w3 w4 w5 w6 w7 w8 w9");  // 5
  const ShingleSet b = ShinglesOfBody("w1 w2 w3 w4 w5 w6 w7 w8 x9");  // 4 same
  EXPECT_DOUBLE_EQ(Jaccard(a, a), 1.0);
  EXPECT_DOUBLE_EQ(Jaccard(a, b), 4.0 / 6.0);
  EXPECT_DOUBLE_EQ(Jaccard(a, {}), 0.0);
  EXPECT_DOUBLE_EQ(Jaccard({}, {}), 0.0);
}

TEST(ShinglesTest, HashesAreStableAcrossBuilds) {
  // Band keys of these hashes are stored on disk: a change here changes the
  // data format (storage/FORMAT.md).
  EXPECT_EQ(WordHash(""), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(WordHash("myanmar"), 0x33b4e215575ff447ULL);
}

}  // namespace
}  // namespace nw::stories
