#include "server/rules/parser.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/rules/lexer.h"
#include "tests/testutil/status_matchers.h"
#include "unicode/uchar.h"

namespace nw::rules {
namespace {

using ::nw::testing::IsOk;

// Canonical form of `text`, or "ERROR@offset".
std::string Canon(std::string_view text) {
  auto rule = ParseRule(text);
  if (!rule.ok()) {
    return "ERROR@" +
           std::to_string(RuleErrorOffset(rule.status()).value_or(-1));
  }
  return (*rule)->Canonical();
}

TEST(ParserTest, Terms) {
  EXPECT_EQ(Canon("Myanmar"), "myanmar");
  EXPECT_EQ(Canon("  Café  "), "cafe");
  EXPECT_EQ(Canon("Myanmar's"), "myanmar");
  EXPECT_EQ(Canon("U.S."), "u.s");
  EXPECT_EQ(Canon("ＡＳＥＡＮ"), "asean");
}

TEST(ParserTest, LowerCaseOperatorsAreWords) {
  EXPECT_EQ(Canon("a and b"), "a AND and AND b");
  EXPECT_EQ(Canon("a or b"), "a AND or AND b");
  EXPECT_EQ(Canon("not near"), "not AND near");
  EXPECT_EQ(Canon("NEAR"), "near");  // no "/N": a word
}

TEST(ParserTest, WordSplittingIntoPhrase) {
  EXPECT_EQ(Canon("non-interference"), "\"non interference\"");
  EXPECT_EQ(Canon("U.S.-China"), "\"u.s china\"");
  EXPECT_EQ(Canon("2021-02-23"), "\"2021 02 23\"");
}

TEST(ParserTest, Phrases) {
  EXPECT_EQ(Canon("\"South China Sea\""), "\"south china sea\"");
  EXPECT_EQ(Canon("\"Myanmar\""), "myanmar");              // one word is a term
  EXPECT_EQ(Canon("\"a AND (b) OR\""), "\"a and b or\"");  // operators are text
  EXPECT_EQ(Canon("\"sanction* against\""), "\"sanction* against\"");
  EXPECT_EQ(Canon("\"sanction*\""), "sanction*");
  EXPECT_EQ(Canon("\"non-interference principle\""),
            "\"non interference principle\"");
}

TEST(ParserTest, Prefixes) {
  EXPECT_EQ(Canon("sanction*"), "sanction*");
  EXPECT_EQ(Canon("SANCT*"), "sanct*");
  EXPECT_EQ(Canon("café*"), "cafe*");
  EXPECT_EQ(Canon("coa*"), "coa*");
}

TEST(ParserTest, Precedence) {
  EXPECT_EQ(Canon("a OR b c"), "a OR (b AND c)");
  EXPECT_EQ(Canon("a b OR c"), "(a AND b) OR c");
  EXPECT_EQ(Canon("NOT a b"), "NOT a AND b");
  EXPECT_EQ(Canon("b NOT a"), "b AND NOT a");
  EXPECT_EQ(Canon("b -a"), "b AND NOT a");
  EXPECT_EQ(Canon("c NOT a NEAR/3 b"), "c AND NOT (a NEAR/3 b)");
  EXPECT_EQ(Canon("c AND a NEAR/3 b OR d"), "(c AND (a NEAR/3 b)) OR d");
  EXPECT_EQ(Canon("(a OR b) c"), "(a OR b) AND c");
  EXPECT_EQ(Canon("a AND b AND c"), "a AND b AND c");
  EXPECT_EQ(Canon("a (b c)"), "a AND b AND c");  // same operator flattened
  EXPECT_EQ(Canon("a NOT NOT b"), "a AND NOT NOT b");
}

TEST(ParserTest, Minus) {
  EXPECT_EQ(Canon("a -\"b c\""), "a AND NOT \"b c\"");
  EXPECT_EQ(Canon("a -(b OR c)"), "a AND NOT (b OR c)");
  EXPECT_EQ(Canon("a -title:b"), "a AND NOT title:b");
  EXPECT_EQ(Canon("Southeast-Asian"), "\"southeast asian\"");  // inside a word
  EXPECT_EQ(Canon("a --b"), "a AND NOT NOT b");
}

TEST(ParserTest, TextScopes) {
  EXPECT_EQ(Canon("title:Myanmar"), "title:myanmar");
  EXPECT_EQ(Canon("TITLE:Myanmar"), "title:myanmar");
  EXPECT_EQ(Canon("Body:Myanmar"), "body:myanmar");
  EXPECT_EQ(Canon("title:\"foreign ministers\""),
            "title:\"foreign ministers\"");
  EXPECT_EQ(Canon("title:(Burma OR ASEAN)"), "title:(burma OR asean)");
  EXPECT_EQ(Canon("title:minist*"), "title:minist*");
  EXPECT_EQ(Canon("title:(a -b)"), "title:(a AND NOT b)");
  EXPECT_EQ(Canon("title:(a source:x)"), "title:(a AND source:\"x\")");
}

TEST(ParserTest, MetadataFilters) {
  EXPECT_EQ(Canon("source:Nikkei a"), "source:\"nikkei\" AND a");
  EXPECT_EQ(Canon("source:\"Nikkei Asia\" a"), "source:\"nikkei asia\" AND a");
  EXPECT_EQ(Canon("source:reuters-21578 a"), "source:\"reuters-21578\" AND a");
  EXPECT_EQ(Canon("tag:Asia"), "tag:\"asia\"");
  EXPECT_EQ(Canon("lang:EN-us"), "lang:\"en-us\"");
  EXPECT_EQ(Canon("tag:crude"), "tag:\"crude\"");  // metadata alone is positive
  EXPECT_EQ(Canon("source:AND a"), "source:\"and\" AND a");  // part of the WORD
}

TEST(ParserTest, Near) {
  EXPECT_EQ(Canon("a NEAR/5 b"), "a NEAR/5 b");
  EXPECT_EQ(Canon("a NEAR/1 b"), "a NEAR/1 b");
  EXPECT_EQ(Canon("a NEAR/100 b"), "a NEAR/100 b");
  EXPECT_EQ(Canon("\"South China Sea\" NEAR/10 territorial"),
            "\"south china sea\" NEAR/10 territorial");
  EXPECT_EQ(Canon("(sanction* OR embargo) NEAR/5 Myanmar"),
            "(sanction* OR embargo) NEAR/5 myanmar");
  EXPECT_EQ(Canon("title:Myanmar NEAR/5 ASEAN"), "title:myanmar NEAR/5 asean");
  EXPECT_EQ(Canon("(a OR (b OR title:c)) NEAR/2 d"),
            "(a OR b OR title:c) NEAR/2 d");
  EXPECT_EQ(Canon("title:(a NEAR/3 b)"), "title:(a NEAR/3 b)");
}

TEST(ParserTest, CanonicalFormRoundTrips) {
  const char* rules[] = {
      "Burma OR Myanmar Rangoon",
      "((Myanmar AND (coup OR junta)) OR (Burma AND junta)) AND NOT (football "
      "OR "
      "cricket)",
      "Myanmar -\"South China Sea\" -source:reuters lang:en tag:\"Asia "
      "Pacific\"",
      "title:(sanctions NEAR/3 military) body:minist*",
      "(sanction* OR embargo) NEAR/5 \"Myanmar military\"",
      "NOT NOT a -(b c) OR d",
      "desk@example.com \"http://x.org\" U.S.-China 10,000",
      "ประเทศไทย 中国的影响力",
      "title:\"non-interference\" NOT body:(a OR \"b c\")",
  };
  for (const char* text : rules) {
    auto first = ParseRule(text);
    ASSERT_THAT(first, IsOk()) << text << ": " << first.status();
    auto second = ParseRule((*first)->Canonical());
    ASSERT_THAT(second, IsOk())
        << (*first)->Canonical() << ": " << second.status();
    EXPECT_EQ((*second)->Canonical(), (*first)->Canonical()) << text;
  }
}

TEST(ParserTest, KeepsTextAndCountsWords) {
  auto rule = ParseRule("a \"b c\" dee* source:x");
  ASSERT_THAT(rule, IsOk());
  EXPECT_EQ((*rule)->text(), "a \"b c\" dee* source:x");
  EXPECT_EQ((*rule)->word_count(), 4u);
}

TEST(ParserTest, LimitsAtTheBoundaryAreAccepted) {
  std::string deep = std::string(32, '(') + "a" + std::string(32, ')');
  EXPECT_EQ(Canon(deep), "a");
  std::string long_rule = "a" + std::string(4095, ' ');
  EXPECT_EQ(Canon(long_rule), "a");
  std::string many = "w0";
  for (int i = 1; i < 256; ++i) many += " OR w" + std::to_string(i);
  EXPECT_THAT(ParseRule(many), IsOk());
}

// Found with tests/fuzz: spec §1 step 3 drops one trailing 's, so a word
// analyzed to "x's" must be printed "x's's" for the canonical form to re-parse
// to itself.
TEST(ParserTest, CanonicalFormKeepsTrailingApostropheS) {
  EXPECT_EQ(Canon("x's's"), "x's's");
  EXPECT_EQ(Canon("x's"), "x");
  EXPECT_EQ(Canon("dog\u2019s's OR cat"), "dog's's OR cat");
  EXPECT_EQ(Canon("\"big dog's's day\""), "\"big dog's's day\"");
  EXPECT_EQ(Canon("dog's's*"), "dog's's*");
  for (std::string_view text :
       {"x's's", "dog's's* OR \"a b's's\"", "title:(x's's's)"}) {
    const std::string first = Canon(text);
    EXPECT_EQ(Canon(first), first) << text;
  }
}

// The lexer's ASCII fast path agrees with ICU's White_Space on every ASCII
// character and reads ASCII bytes as themselves.
TEST(ParserTest, AsciiSpacesAreIcuWhiteSpace) {
  for (char32_t c = 0; c < 0x80; ++c) {
    EXPECT_EQ(IsRuleSpace(c), u_isUWhiteSpace(static_cast<UChar32>(c)) != 0)
        << static_cast<int>(c);
    const char byte = static_cast<char>(c);
    uint32_t pos = 0;
    EXPECT_EQ(DecodeAt(std::string_view(&byte, 1), &pos), c);
    EXPECT_EQ(pos, 1u);
  }
  EXPECT_TRUE(IsRuleSpace(0x3000));   // ideographic space
  EXPECT_FALSE(IsRuleSpace(0x200B));  // zero width space: not White_Space
}

}  // namespace
}  // namespace nw::rules
