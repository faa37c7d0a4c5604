#include "server/match/evaluator.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/rules/parser.h"
#include "tests/testutil/status_matchers.h"

namespace nw::match {
namespace {

using ::nw::testing::IsOk;

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr Field kT = Field::kTitle;
constexpr Field kB = Field::kBody;

class EvaluatorTest : public ::testing::Test {
 protected:
  void SetArticle(std::string title, std::string body, std::string source = "",
                  std::string lang = "", std::vector<std::string> tags = {}) {
    title_ = std::move(title);
    body_ = std::move(body);
    source_ = std::move(source);
    lang_ = std::move(lang);
    tags_ = std::move(tags);
    ArticleText text{title_, body_, source_, lang_, {}};
    for (const std::string& t : tags_) text.tags.push_back(t);
    article_ = AnalyzedArticle::Analyze(text);
  }

  std::optional<std::vector<Highlight>> Eval(std::string_view rule_text) {
    auto rule = rules::ParseRule(rule_text);
    EXPECT_THAT(rule, IsOk()) << rule_text << ": " << rule.status();
    if (!rule.ok()) return std::nullopt;
    return Evaluate(**rule, article_);
  }
  bool Matches(std::string_view rule_text) {
    return Eval(rule_text).has_value();
  }

  std::string title_, body_, source_, lang_;
  std::vector<std::string> tags_;
  AnalyzedArticle article_ = AnalyzedArticle::Analyze({});
};

TEST_F(EvaluatorTest, TermsMatchWholeNormalizedWords) {
  SetArticle("Myanmar’s coup", "The U.S. and Café owners");
  EXPECT_THAT(*Eval("myanmar"), ElementsAre(Highlight{kT, 0, 11}));
  EXPECT_THAT(*Eval("CAFE"), ElementsAre(Highlight{kB, 13, 18}));
  EXPECT_THAT(*Eval("U.S."), ElementsAre(Highlight{kB, 4, 7}));
  EXPECT_FALSE(Matches("Myan"));
  EXPECT_FALSE(Matches("us"));
}

TEST_F(EvaluatorTest, Prefixes) {
  SetArticle("Sanctions", "new sanction regime, sanctioned firms; sand");
  EXPECT_THAT(*Eval("sanction*"),
              ElementsAre(Highlight{kT, 0, 9}, Highlight{kB, 4, 12},
                          Highlight{kB, 21, 31}));
  EXPECT_THAT(*Eval("sanctioned*"), ElementsAre(Highlight{kB, 21, 31}));
  EXPECT_FALSE(Matches("sanctionz*"));
}

TEST_F(EvaluatorTest, PhrasesNeedConsecutivePositionsInOneField) {
  SetArticle("talks on the South",
             "China Sea. The South China Sea, south-china sea");
  EXPECT_THAT(*Eval("\"south china sea\""),
              ElementsAre(Highlight{kB, 15, 30}, Highlight{kB, 32, 47}));
  EXPECT_FALSE(Matches("\"south sea\""));
  EXPECT_FALSE(Matches("\"on the south china\""));  // would span title and body
  EXPECT_THAT(*Eval("\"sou* chin*\""),
              ElementsAre(Highlight{kB, 15, 26}, Highlight{kB, 32, 43}));
  EXPECT_THAT(*Eval("\"the sou*\""),
              ElementsAre(Highlight{kT, 9, 18}, Highlight{kB, 11, 20}));
}

TEST_F(EvaluatorTest, PhraseRepeatsOverlap) {
  SetArticle("", "oil oil oil");
  EXPECT_THAT(*Eval("\"oil oil\""),
              ElementsAre(Highlight{kB, 0, 7}, Highlight{kB, 4, 11}));
}

TEST_F(EvaluatorTest, NearInBothOrdersWithGap) {
  SetArticle("", "sanctions against Myanmar");
  EXPECT_TRUE(Matches("sanctions NEAR/2 Myanmar"));
  EXPECT_TRUE(Matches("Myanmar NEAR/2 sanctions"));
  EXPECT_FALSE(Matches("sanctions NEAR/1 Myanmar"));
  EXPECT_FALSE(Matches("Myanmar NEAR/1 sanctions"));
  EXPECT_TRUE(Matches("sanctions NEAR/1 against"));
  EXPECT_TRUE(Matches("(embargo OR sanction*) NEAR/2 myan*"));
}

TEST_F(EvaluatorTest, NearOccurrencesMustNotOverlap) {
  SetArticle("Oil", "oil oil gas oil");
  EXPECT_TRUE(Matches("oil NEAR/1 oil"));
  EXPECT_FALSE(Matches("gas NEAR/5 gas"));
  EXPECT_TRUE(Matches("\"oil oil\" NEAR/2 oil"));
  EXPECT_FALSE(Matches("\"oil oil\" NEAR/1 oil"));
  EXPECT_TRUE(Matches("\"oil gas\" NEAR/1 oil"));  // [1,2] and 0 (or 3)
  EXPECT_FALSE(Matches("\"oil gas oil\" NEAR/5 gas"));
}

TEST_F(EvaluatorTest, NearNeverCombinesFields) {
  SetArticle("alpha", "beta");
  EXPECT_FALSE(Matches("alpha NEAR/5 beta"));
  SetArticle("alpha beta", "beta");
  EXPECT_TRUE(Matches("alpha NEAR/1 beta"));
  EXPECT_FALSE(Matches("alpha NEAR/1 body:beta"));
  EXPECT_TRUE(Matches("title:alpha NEAR/1 beta"));
}

TEST_F(EvaluatorTest, NearHighlightsEveryOccurrenceOfItsOperands) {
  SetArticle("ASEAN", "Blinken met ASEAN");
  EXPECT_THAT(*Eval("Blinken NEAR/2 ASEAN"),
              ElementsAre(Highlight{kT, 0, 5}, Highlight{kB, 0, 7},
                          Highlight{kB, 12, 17}));
}

TEST_F(EvaluatorTest, TextScopes) {
  SetArticle("Myanmar sanctions", "sanctions on Myanmar");
  EXPECT_THAT(*Eval("title:Myanmar"), ElementsAre(Highlight{kT, 0, 7}));
  EXPECT_THAT(*Eval("body:Myanmar"), ElementsAre(Highlight{kB, 13, 20}));
  EXPECT_THAT(*Eval("body:(Myanmar OR sanctions)"),
              ElementsAre(Highlight{kB, 0, 9}, Highlight{kB, 13, 20}));
  EXPECT_FALSE(Matches("title:on"));
  EXPECT_TRUE(Matches("title:Myanmar -title:on"));
  EXPECT_FALSE(Matches("title:Myanmar -body:on"));
}

TEST_F(EvaluatorTest, BooleanOperators) {
  SetArticle("", "alpha beta");
  EXPECT_TRUE(Matches("alpha beta"));
  EXPECT_TRUE(Matches("alpha AND beta"));
  EXPECT_FALSE(Matches("alpha gamma"));
  EXPECT_TRUE(Matches("gamma OR beta"));
  EXPECT_FALSE(Matches("alpha NOT beta"));
  EXPECT_TRUE(Matches("alpha -gamma"));
  EXPECT_TRUE(Matches("alpha NOT NOT beta"));
  EXPECT_TRUE(Matches("gamma OR alpha delta OR beta"));
  EXPECT_FALSE(Matches("(gamma OR alpha) delta"));
}

TEST_F(EvaluatorTest,
       HighlightsSkipNegatedAndIncludeUnmatchedPositiveBranches) {
  SetArticle("alpha", "beta gamma alpha");
  // beta is positive even though its AND branch fails; gamma is under NOT.
  EXPECT_THAT(*Eval("(beta zeta) OR alpha NOT NOT gamma"),
              ElementsAre(Highlight{kT, 0, 5}, Highlight{kB, 0, 4},
                          Highlight{kB, 11, 16}));
  EXPECT_THAT(*Eval("alpha alpha"),  // no duplicates
              ElementsAre(Highlight{kT, 0, 5}, Highlight{kB, 11, 16}));
}

TEST_F(EvaluatorTest, MetadataFilters) {
  SetArticle("x", "crude oil", "Nikkei Asia", "en-GB", {"Asia", "ＣＲＵＤＥ"});
  EXPECT_TRUE(Matches("source:\"nikkei asia\" x"));
  EXPECT_FALSE(Matches("source:nikkei x"));
  EXPECT_TRUE(Matches("lang:en x"));
  EXPECT_TRUE(Matches("lang:EN-gb x"));
  EXPECT_FALSE(Matches("lang:e x"));
  EXPECT_FALSE(Matches("lang:en-us x"));
  EXPECT_TRUE(Matches("tag:asia x"));
  EXPECT_FALSE(Matches("tag:asi x"));
  EXPECT_FALSE(Matches("x -tag:asia"));
  EXPECT_THAT(*Eval("tag:crude"), IsEmpty());  // metadata alone: no highlights
  EXPECT_THAT(*Eval("tag:crude OR zzz"), IsEmpty());
}

TEST_F(EvaluatorTest, EmptyArticleMatchesNothingPositive) {
  SetArticle("", "");
  EXPECT_FALSE(Matches("anything"));
  EXPECT_FALSE(Matches("any*"));
  EXPECT_FALSE(Matches("\"any thing\""));
  EXPECT_FALSE(Matches("a NEAR/3 b"));
}

}  // namespace
}  // namespace nw::match
