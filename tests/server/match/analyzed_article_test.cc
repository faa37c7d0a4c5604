#include "server/match/analyzed_article.h"

#include <algorithm>
#include <string>
#include <thread>
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

// Terms and words view the article's own storage: they survive moves, for
// short texts too (which a string could keep inline, and move by copying).
TEST(AnalyzedArticleTest, ViewsSurviveMoves) {
  std::vector<AnalyzedArticle> articles;
  for (int i = 0; i < 50; ++i) {  // the vector reallocates: moves
    std::string title = "Ab",
                body = i % 2 ? "x Y x" : "caf\xC3\xA9 CAFE\xCC\x81";
    articles.push_back(
        AnalyzedArticle::Analyze({.title = title, .body = body}));
  }
  for (int i = 0; i < 50; ++i) {
    const AnalyzedArticle& a = articles[i];
    EXPECT_EQ(a.Words(Field::kTitle)[0].term, "ab");
    EXPECT_EQ(a.Term(0), "ab");
    if (i % 2) {
      EXPECT_THAT(a.Positions(Field::kBody, "x"), ElementsAre(0, 2));
      EXPECT_EQ(a.Words(Field::kBody)[1].term, "y");
      EXPECT_EQ(a.Term(a.WordTermIds(Field::kBody)[1]), "y");
    } else {  // both spellings of "café" normalize to one term
      EXPECT_THAT(a.Positions(Field::kBody, "cafe"), ElementsAre(0, 1));
      EXPECT_EQ(a.TermCount(), 2u);
      EXPECT_EQ(a.Words(Field::kBody)[1].begin, 6u);
      EXPECT_EQ(a.Words(Field::kBody)[1].end, 12u);
    }
  }
}

// A thread reuses the storage of the articles it destroyed: nothing of the
// previous article (terms, positions, sorted prefixes, metadata) shows through,
// whichever thread destroyed it.
TEST(AnalyzedArticleTest, ReusedStorageStartsEmpty) {
  auto prefix_positions = [](const AnalyzedArticle& a, std::string_view p) {
    std::vector<uint32_t> seen;
    a.ForEachPrefixMatch(Field::kBody, p, [&](absl::Span<const uint32_t> s) {
      seen.insert(seen.end(), s.begin(), s.end());
    });
    std::sort(seen.begin(), seen.end());
    return seen;
  };
  for (int round = 0; round < 10; ++round) {
    std::string body = "sanction sanctions oil " + std::to_string(round);
    AnalyzedArticle first = AnalyzedArticle::Analyze(
        {.title = "a b c", .body = body, .source = "S", .tags = {"T1", "T2"}});
    EXPECT_THAT(prefix_positions(first, "sanc"), ElementsAre(0, 1));
    if (round % 2) {  // destroyed on another thread this time
      std::thread([a = std::move(first)]() mutable {
        AnalyzedArticle gone = std::move(a);
      }).join();
    } else {
      AnalyzedArticle gone = std::move(first);
    }
    const AnalyzedArticle second =
        AnalyzedArticle::Analyze({.body = "gas sand sanctum"});
    EXPECT_THAT(prefix_positions(second, "san"), ElementsAre(1, 2));
    EXPECT_THAT(prefix_positions(second, "sanc"), ElementsAre(2));
    EXPECT_EQ(second.FindTerm("oil"), AnalyzedArticle::kNoTerm);
    EXPECT_EQ(second.TermCount(), 3u);
    EXPECT_THAT(second.Terms(), ElementsAre("gas", "sand", "sanctum"));
    EXPECT_THAT(second.TermIds(), ElementsAre(0, 1, 2));
    EXPECT_TRUE(second.Words(Field::kTitle).empty());
    EXPECT_EQ(second.source(), "");
    EXPECT_THAT(second.tags(), IsEmpty());
    EXPECT_THAT(second.Positions(Field::kBody, "gas"), ElementsAre(0));
  }
}

TEST(AnalyzedArticleTest, EmptyArticle) {
  AnalyzedArticle a = AnalyzedArticle::Analyze({});
  EXPECT_EQ(a.TermCount(), 0u);
  EXPECT_TRUE(a.Words(Field::kTitle).empty());
  EXPECT_TRUE(a.Words(Field::kBody).empty());
  EXPECT_EQ(a.FindTerm("oil"), AnalyzedArticle::kNoTerm);
  EXPECT_THAT(a.Positions(Field::kBody, "oil"), IsEmpty());
}

}  // namespace
}  // namespace nw::match
