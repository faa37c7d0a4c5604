#include "server/index/rule_query.h"

#include <algorithm>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/rules/parser.h"
#include "tests/testutil/status_matchers.h"

namespace nw::index {
namespace {

using ::nw::testing::IsOk;

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

// The anchors of `rule` as "kind:text" strings.
std::vector<std::string> Anchors(const std::string& rule) {
  auto compiled = rules::ParseRule(rule);
  EXPECT_THAT(compiled, IsOk()) << rule;
  const RuleQuery q = BuildRuleQuery((*compiled)->root(), StaticCostModel());
  std::vector<std::string> out;
  const char* kinds[] = {"term", "prefix", "source", "tag", "lang"};
  for (uint32_t a : q.anchors) {
    out.push_back(std::string(kinds[static_cast<int>(q.features[a].kind)]) +
                  ":" + q.features[a].text);
  }
  return out;
}

// Verifies a conjunction is anchored on its rarest (here: longest) part only.
TEST(RuleQueryTest, ConjunctionUsesRarestPart) {
  EXPECT_THAT(Anchors("oil Bundesbank"), ElementsAre("term:bundesbank"));
  EXPECT_THAT(Anchors("lang:en opec the"), ElementsAre("term:opec"));
  EXPECT_THAT(Anchors("source:reuters-21578 heat"), ElementsAre("term:heat"));
  EXPECT_THAT(Anchors("(a OR b OR c) dollar"), ElementsAre("term:dollar"));
}

// Verifies disjunctions, prefixes, phrases, NEAR, scopes and NOT.
TEST(RuleQueryTest, EveryConstruct) {
  EXPECT_THAT(Anchors("oil OR gas*"),
              UnorderedElementsAre("term:oil", "prefix:gas"));
  EXPECT_THAT(Anchors("\"the bundesbank rate\""),
              ElementsAre("term:bundesbank"));
  EXPECT_THAT(Anchors("title:myanmar NEAR/5 (asean OR un)"),
              ElementsAre("term:myanmar"));
  EXPECT_THAT(Anchors("oil -opec -cartel"), ElementsAre("term:oil"));
  EXPECT_THAT(Anchors("tag:Grain"), ElementsAre("tag:grain"));
  EXPECT_THAT(Anchors("lang:EN"), ElementsAre("lang:en"));
}

// Verifies a rule whose filter is trivially true has no anchors (always
// evaluated).
TEST(RuleQueryTest, DoubleNegationIsAnchorless) {
  EXPECT_THAT(Anchors("NOT (NOT oil)"), IsEmpty());
}

// Verifies the postfix filter program.
TEST(RuleQueryTest, FilterProgram) {
  auto compiled = rules::ParseRule("(oil OR gas) -opec");
  ASSERT_THAT(compiled, IsOk());
  const RuleQuery q = BuildRuleQuery((*compiled)->root(), StaticCostModel());
  std::vector<uint8_t> stack;
  auto eval = [&](std::vector<bool> present) {
    return EvalFilter(
        q.filter.data(), q.filter.size(),
        [&](uint32_t f) { return bool(present[f]); }, stack);
  };
  ASSERT_EQ(q.features.size(), 3u);  // oil, gas, opec
  EXPECT_TRUE(q.exact);
  EXPECT_TRUE(eval({true, false, false}));
  EXPECT_TRUE(eval({false, true, false}));
  EXPECT_FALSE(eval({false, true, true}));
  EXPECT_FALSE(eval({false, false, false}));
}

// Verifies NOT is only kept where the filter stays a necessary condition: under
// a field scope, or over a phrase, a present feature does not mean a match.
TEST(RuleQueryTest, NegationOnlyWhereExact) {
  for (const char* rule :
       {"title:(oil -gas)", "oil -\"gas price\"", "oil -title:gas"}) {
    auto compiled = rules::ParseRule(rule);
    ASSERT_THAT(compiled, IsOk()) << rule;
    const RuleQuery q = BuildRuleQuery((*compiled)->root(), StaticCostModel());
    EXPECT_FALSE(q.exact) << rule;
    EXPECT_EQ(std::count(q.filter.begin(), q.filter.end(), kOpNot), 0) << rule;
  }
}

}  // namespace
}  // namespace nw::index
