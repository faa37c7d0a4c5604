#include "server/api/rule_lint.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nw::api {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Verifies a clean rule gets no warning.
TEST(RuleLintTest, CleanRuleHasNoWarnings) {
  EXPECT_THAT(LintRule("Myanmar AND sanctions", "myanmar AND sanctions", false,
                       {"crude AND opec"}),
              IsEmpty());
}

// Verifies lower-case operators outside quotes are flagged, not in phrases.
TEST(RuleLintTest, LowerCaseOperatorsAreFlagged) {
  EXPECT_THAT(LintRule("oil and gas", "oil AND and AND gas", false, {}),
              ElementsAre(HasSubstr("'and' in lower case")));
  EXPECT_THAT(LintRule("(oil near/5 gas)", "x", false, {}),
              ElementsAre(HasSubstr("write NEAR/5")));
  EXPECT_THAT(LintRule("\"rock and roll\"", "\"rock and roll\"", false, {}),
              IsEmpty());
}

// Verifies a duplicate of an existing rule, a stop-word-only rule and a
// rule without an anchor are flagged.
TEST(RuleLintTest, DuplicateStopWordsAndNoAnchor) {
  EXPECT_THAT(LintRule("Myanmar AND sanctions", "myanmar AND sanctions", false,
                       {"myanmar AND sanctions"}),
              ElementsAre(HasSubstr("already has a rule")));
  EXPECT_THAT(LintRule("the", "the", false, {}),
              ElementsAre(HasSubstr("common word")));
  EXPECT_THAT(LintRule("NOT oil", "NOT oil", true, {}),
              ElementsAre(HasSubstr("evaluated for every article")));
}

}  // namespace
}  // namespace nw::api
