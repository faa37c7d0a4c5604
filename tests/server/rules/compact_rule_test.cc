// CompactRule (server/rules/compact_rule.h): the compact form decodes back to
// the same tree, printed canonically.
#include "server/rules/compact_rule.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "server/rules/parser.h"
#include "tests/testutil/status_matchers.h"

namespace nw::rules {
namespace {

using ::nw::testing::IsOk;

TEST(CompactRuleTest, RoundTripsEveryKindOfNode) {
  for (const std::string text :
       {"oil", "sanction*", "\"south china sea\"", "\"sanction* nuclear\"",
        "a AND (b OR c) AND NOT d", "title:(opec OR \"crude oil\") body:gold",
        "(a OR title:b) NEAR/5 \"c d\"", "source:Reuters tag:\"OIL\" lang:EN",
        "source:\"＂quoted＂\" x", "NOT NOT z", "Knutson Albert"}) {
    auto parsed = ParseRule(text);
    ASSERT_THAT(parsed, IsOk()) << text << ": " << parsed.status();
    const CompactRule& compact = (*parsed)->compact();
    ASSERT_FALSE(compact.empty());
    EXPECT_EQ(CanonicalString(*compact.ToTree()), (*parsed)->Canonical())
        << text;
    const CompactRule copy = compact;  // copies own their bytes
    EXPECT_EQ(copy.bytes(), compact.bytes());
    EXPECT_NE(copy.data(), compact.data());
  }
}

// Payloads of 128 bytes or more take a longer length prefix (the encoder
// widens it after writing the payload).
TEST(CompactRuleTest, RoundTripsLongRules) {
  std::string many_words, long_phrase = "\"";
  for (int i = 0; i < 250; ++i) {
    absl::StrAppend(&many_words, i > 0 ? " OR " : "", "word", i);
    absl::StrAppend(&long_phrase, i > 0 ? " " : "", "w", i);
  }
  long_phrase += "\"";
  for (const std::string& text :
       {many_words, long_phrase, "title:(" + many_words + ") AND z",
        "(" + many_words + ") NEAR/7 x", "NOT (" + many_words + ") AND y"}) {
    auto parsed = ParseRule(text);
    ASSERT_THAT(parsed, IsOk()) << text << ": " << parsed.status();
    const CompactRule& compact = (*parsed)->compact();
    EXPECT_GT(compact.bytes().size(), 1000u);
    EXPECT_EQ(CanonicalString(*compact.ToTree()), (*parsed)->Canonical())
        << text;
  }
}

// ParseRuleCompact checks as ParseRule does: the same compact form for
// accepted rules, the same error (message and offset) for rejected ones.
TEST(CompactRuleTest, ParseRuleCompactAgreesWithParseRule) {
  for (const std::string& text :
       std::vector<std::string>{"oil",
                                "sanction*",
                                "\"south china sea\"",
                                "a AND (b OR c) AND NOT d",
                                "title:(opec OR \"crude oil\") body:gold",
                                "(a OR title:b) NEAR/5 c",
                                "source:\"＂quoted＂\" x",
                                "NOT NOT z",
                                "",
                                "   ",
                                "Myanmar AND",
                                "(a OR) b",
                                "NOT oil",
                                "-oil",
                                "title:",
                                "foo:bar",
                                "sa*",
                                "x*y",
                                "a NEAR/0 b",
                                "a NEAR/3 b NEAR/3 c",
                                "NOT a NEAR/2 b",
                                "\"a & b\"",
                                "(((((((((((((((((((((((((((((((((a))))))))))))"
                                ")))))))))))))))))))))",
                                "\xff\xfe",
                                std::string(5000, 'a'),
                                "lang:en",
                                "source:\"\""}) {
    auto tree = ParseRule(text);
    auto compact = ParseRuleCompact(text);
    ASSERT_EQ(tree.status(), compact.status()) << text;
    if (tree.ok()) {
      EXPECT_EQ(compact->bytes(), (*tree)->compact().bytes()) << text;
    }
  }
}

TEST(CompactRuleTest, IsSmall) {
  auto parsed = ParseRule("Knutson Albert");
  ASSERT_THAT(parsed, IsOk());
  // AND, two terms: 3 node headers of 2 bytes and the two words.
  EXPECT_EQ((*parsed)->compact().bytes().size(), 6u + 7u + 6u);
}

}  // namespace
}  // namespace nw::rules
