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

// The conjunctive form of `rule`'s filter as text: a clause per group, "!"
// before a negated word, "|" between ORed words, clauses joined by " & ";
// "none" when it has no such form.
std::string Clauses(const std::string& rule) {
  auto compiled = rules::ParseRule(rule);
  EXPECT_THAT(compiled, IsOk()) << rule;
  const RuleQuery q = BuildRuleQuery((*compiled)->root(), StaticCostModel());
  std::vector<uint32_t> words = {7};  // appended to, not replaced
  if (!FilterToClauses(q.filter.data(), q.filter.size(), &words)) {
    EXPECT_EQ(words.size(), 1u) << rule;
    return "none";
  }
  std::string out;
  for (size_t i = 1; i < words.size(); ++i) {
    const uint32_t w = words[i];
    if ((w & kNegatedBit) != 0) out += "!";
    out += q.features[w & kFeatureMask].text;
    if (i + 1 < words.size()) out += (w & kOrNextBit) != 0 ? "|" : " & ";
  }
  return out;
}

// Verifies the conjunctive form of the common filter shapes, and that the
// others have none (they keep their program).
TEST(RuleQueryTest, FilterToClauses) {
  EXPECT_EQ(Clauses("oil"), "oil");
  EXPECT_EQ(Clauses("oil gas opec"), "oil & gas & opec");
  EXPECT_EQ(Clauses("\"crude oil\" NEAR/3 price"), "crude & oil & price");
  EXPECT_EQ(Clauses("(oil OR gas OR coal) opec"), "oil|gas|coal & opec");
  EXPECT_EQ(Clauses("opec (oil OR (gas OR coal))"), "opec & oil|gas|coal");
  EXPECT_EQ(Clauses("oil OR gas"), "oil|gas");
  EXPECT_EQ(Clauses("oil gas -opec"), "oil & gas & !opec");
  EXPECT_EQ(Clauses("oil NOT (opec OR cartel)"), "oil & !opec & !cartel");
  EXPECT_EQ(Clauses("(oil OR gas) (opec OR cartel) -iran"),
            "oil|gas & opec|cartel & !iran");
  EXPECT_EQ(Clauses("(oil gas) OR coal"), "none");        // OR of an AND
  EXPECT_EQ(Clauses("opec (oil OR -gas)"), "none");       // OR of a NOT
  EXPECT_EQ(Clauses("oil NOT (gas opec)"), "none");       // NOT of an AND
  EXPECT_EQ(Clauses("oil NOT (NOT gas)"), "none");        // two NOTs
  EXPECT_EQ(Clauses("title:oil -\"gas price\""), "oil");  // NOT dropped
}

}  // namespace
}  // namespace nw::index
