// CompactRule (server/rules/compact_rule.h): the compact form decodes back to
// the same tree, printed canonically.
#include "server/rules/compact_rule.h"

#include <string>

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

TEST(CompactRuleTest, IsSmall) {
  auto parsed = ParseRule("Knutson Albert");
  ASSERT_THAT(parsed, IsOk());
  // AND, two terms: 3 node headers of 2 bytes and the two words.
  EXPECT_EQ((*parsed)->compact().bytes().size(), 6u + 7u + 6u);
}

}  // namespace
}  // namespace nw::rules
