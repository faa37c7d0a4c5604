#include "server/match/analyzed_article.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nw::match {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

TEST(AnalyzedArticleTest, IndexesPositionsPerField) {
  std::string title = "Oil";
  std::string body = "oil oil gas OIL";
  AnalyzedArticle a = AnalyzedArticle::Analyze({.title = title, .body = body});
  EXPECT_THAT(a.Positions(Field::kBody, "oil"), ElementsAre(0, 1, 3));
  EXPECT_THAT(a.Positions(Field::kTitle, "oil"), ElementsAre(0));
  EXPECT_THAT(a.Positions(Field::kTitle, "gas"), IsEmpty());
  EXPECT_THAT(a.Positions(Field::kBody, "Oil"),
              IsEmpty());  // lookups take normalized terms
  EXPECT_EQ(a.FindTerm("gas"), a.WordTermIds(Field::kBody)[2]);
  EXPECT_EQ(a.FindTerm("coal"), AnalyzedArticle::kNoTerm);
  ASSERT_EQ(a.Words(Field::kBody).size(), 4u);
  EXPECT_EQ(a.Words(Field::kBody)[3].begin, 12u);
}

TEST(AnalyzedArticleTest, PrefixLookupVisitsEveryMatchingTerm) {
  std::string body = "sanction sanctions sanctioned sand sanctum";
  AnalyzedArticle a = AnalyzedArticle::Analyze({.body = body});
  std::vector<uint32_t> seen;
  a.ForEachPrefixMatch(Field::kBody, "sanction",
                       [&](absl::Span<const uint32_t> p) {
                         seen.insert(seen.end(), p.begin(), p.end());
                       });
  EXPECT_THAT(seen, UnorderedElementsAre(0, 1, 2));
  seen.clear();
  a.ForEachPrefixMatch(Field::kTitle, "san", [&](absl::Span<const uint32_t> p) {
    seen.insert(seen.end(), p.begin(), p.end());
  });
  EXPECT_TRUE(seen.empty());
}

TEST(AnalyzedArticleTest, NormalizesMetadataAndOwnsCopies) {
  AnalyzedArticle a = [] {
    std::string source = "Nikkei Asia", lang = "en-GB", tag = "ＡＳＩＡ";
    return AnalyzedArticle::Analyze(
        {.title = "x", .source = source, .lang = lang, .tags = {tag}});
  }();  // the inputs are gone now
  EXPECT_EQ(a.source(), "nikkei asia");
  EXPECT_EQ(a.lang(), "en-gb");
  EXPECT_THAT(a.tags(), ElementsAre("asia"));
  EXPECT_EQ(a.Words(Field::kTitle)[0].term, "x");
}

}  // namespace
}  // namespace nw::match
