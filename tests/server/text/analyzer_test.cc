#include "server/text/analyzer.h"

#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nw::text {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> Terms(std::string_view text) {
  std::vector<std::string> out;
  for (const Word& w : AnalyzeField(text)) out.push_back(w.term);
  return out;
}

// Every example of spec §1.
TEST(AnalyzerTest, SpecExamples) {
  EXPECT_THAT(Terms("Myanmar’s"), ElementsAre("myanmar"));
  EXPECT_THAT(Terms("U.S."), ElementsAre("u.s"));
  EXPECT_THAT(Terms("Café"), ElementsAre("cafe"));
  EXPECT_THAT(Terms("ＡＳＥＡＮ"), ElementsAre("asean"));
  EXPECT_THAT(Terms("Straße"), ElementsAre("strasse"));
  EXPECT_THAT(Terms("non-interference"), ElementsAre("non", "interference"));
  EXPECT_THAT(Terms("10,000"), ElementsAre("10,000"));
  EXPECT_THAT(Terms("2021-02-23"), ElementsAre("2021", "02", "23"));
  EXPECT_THAT(Terms("O'Brien"), ElementsAre("o'brien"));
}

TEST(AnalyzerTest, ApostrophesAndPossessives) {
  EXPECT_THAT(Terms("Biden's"), ElementsAre("biden"));
  EXPECT_THAT(Terms("BIDEN'S"), ElementsAre("biden"));
  EXPECT_THAT(Terms("Myanmarʼs"), ElementsAre("myanmar"));  // U+02BC
  EXPECT_THAT(Terms("it’ll"), ElementsAre("it'll"));
}

TEST(AnalyzerTest, DiacriticsRemovedButNotLetters) {
  EXPECT_THAT(Terms("Naïve Łódź"), ElementsAre("naive", "łodz"));
  EXPECT_THAT(Terms("ﬁnance"), ElementsAre("finance"));  // NFKC ligature
}

TEST(AnalyzerTest, PunctuationAndSpacesAreNotWords) {
  EXPECT_THAT(Terms(""), IsEmpty());
  EXPECT_THAT(Terms("  -- & — , . ! "), IsEmpty());
  EXPECT_THAT(Terms("after the coup. The bloc"),
              ElementsAre("after", "the", "coup", "the", "bloc"));
}

TEST(AnalyzerTest, PositionsAndByteOffsets) {
  const std::string text = "Café — Myanmar’s U.S. 2021";
  std::vector<Word> words = AnalyzeField(text);
  ASSERT_EQ(words.size(), 4u);
  for (uint32_t i = 0; i < words.size(); ++i) EXPECT_EQ(words[i].position, i);
  EXPECT_EQ(text.substr(words[0].begin, words[0].end - words[0].begin), "Café");
  EXPECT_EQ(text.substr(words[1].begin, words[1].end - words[1].begin),
            "Myanmar’s");
  EXPECT_EQ(text.substr(words[2].begin, words[2].end - words[2].begin), "U.S");
  EXPECT_EQ(text.substr(words[3].begin, words[3].end - words[3].begin), "2021");
  EXPECT_EQ(words[0].begin, 0u);
  EXPECT_EQ(words[0].end, 5u);  // bytes, not characters
}

TEST(AnalyzerTest, OffsetsAfterSupplementaryCharacters) {
  const std::string text = "𝐀 ok";  // U+1D400: 4 UTF-8 bytes, 2 UTF-16 units
  std::vector<Word> words = AnalyzeField(text);
  ASSERT_EQ(words.size(), 2u);
  EXPECT_EQ(words[0].term, "a");  // NFKC folds mathematical bold A
  EXPECT_EQ(words[0].begin, 0u);
  EXPECT_EQ(words[0].end, 4u);
  EXPECT_EQ(words[1].begin, 5u);
  EXPECT_EQ(words[1].end, 7u);
}

TEST(AnalyzerTest, ThaiAndChineseUseDictionarySegmentation) {
  std::vector<Word> zh = AnalyzeField("中国的影响力");
  ASSERT_GE(zh.size(), 2u);
  EXPECT_EQ(zh[0].term, "中国");
  EXPECT_EQ(zh[0].begin, 0u);
  EXPECT_EQ(zh[0].end, 6u);
  std::vector<Word> th = AnalyzeField("ประเทศไทย Thailand");
  ASSERT_GE(th.size(), 2u);
  EXPECT_EQ(th.back().term, "thailand");
  EXPECT_EQ(th.front().begin, 0u);
  // The Thai words tile the Thai run exactly.
  for (size_t i = 0; i + 2 < th.size(); ++i)
    EXPECT_EQ(th[i].end, th[i + 1].begin);
  EXPECT_EQ(th[th.size() - 2].end, 27u);
}

TEST(AnalyzerTest, NormalizeMetadataIsNfkcCasefoldOnly) {
  EXPECT_EQ(NormalizeMetadata("Nikkei Asia"), "nikkei asia");
  EXPECT_EQ(NormalizeMetadata("ＲＥＵＴＥＲＳ-21578"), "reuters-21578");
  EXPECT_EQ(NormalizeMetadata("Café"), "café");  // diacritics kept
  EXPECT_EQ(NormalizeMetadata(""), "");
}

TEST(AnalyzerTest, ConcurrentCallsAgree) {
  const std::string text =
      "U.S. President Joe Biden's administration and ASEAN’s ministers met in "
      "ประเทศไทย and 中国的影响力 grows.";
  const std::vector<Word> want = AnalyzeField(text);
  std::vector<std::thread> threads;
  std::vector<int> bad(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        std::vector<Word> got = AnalyzeField(text);
        bool same = got.size() == want.size();
        for (size_t k = 0; same && k < got.size(); ++k) {
          same = got[k].term == want[k].term && got[k].begin == want[k].begin &&
                 got[k].end == want[k].end;
        }
        bad[t] += !same;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_THAT(bad, ElementsAre(0, 0, 0, 0));
}

}  // namespace
}  // namespace nw::text
