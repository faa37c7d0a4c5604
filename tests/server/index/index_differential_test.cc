// Differential tests: the index must return exactly what brute-force evaluation
// of every rule returns (same rules, same order, same highlights), for random
// rules of every construct over random articles (fixed seeds), through a single
// base segment and through a registry whose snapshots mix base, tombstones and
// delta.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "server/index/df_cost_model.h"
#include "server/index/rule_registry.h"
#include "server/match/evaluator.h"
#include "tests/server/index/test_rules.h"

namespace nw::index {
namespace {

using testing::BruteForce;
using testing::Ids;
using testing::MakeRule;
using testing::RandomCorpus;

std::vector<std::shared_ptr<const IndexedRule>> RandomRules(
    RandomCorpus& corpus, int n) {
  std::vector<std::shared_ptr<const IndexedRule>> rules;
  int attempts = 0;
  while (static_cast<int>(rules.size()) < n && ++attempts < 20 * n) {
    const int i = static_cast<int>(rules.size());
    auto rule = MakeRule("r" + std::to_string(i), "s" + std::to_string(i % 7),
                         corpus.Rule());
    if (rule != nullptr) rules.push_back(std::move(rule));
  }
  return rules;
}

// Verifies index == brute force on 2,500 random rules x 100 random articles
// (250,000 pairs), including highlights.
TEST(IndexDifferentialTest, RandomRulesMatchBruteForce) {
  RandomCorpus corpus(20261129);
  const auto rules = RandomRules(corpus, 2500);
  ASSERT_EQ(rules.size(), 2500u);
  const RuleSnapshot snapshot(rules);
  // Only the generator's `NOT (NOT x)` rules (about 1 in 8) lack an anchor.
  EXPECT_LT(snapshot.always_evaluated(), rules.size() / 5);
  uint64_t matches = 0, candidates = 0;
  for (int a = 0; a < 100; ++a) {
    const testing::TestArticle article = corpus.Article();
    const match::AnalyzedArticle analyzed = article.Analyze();
    const MatchResult got = snapshot.MatchWithStats(analyzed);
    const std::vector<std::string> want = BruteForce(rules, analyzed);
    ASSERT_EQ(Ids(got.hits), want)
        << "article " << a << ": " << article.title << " | " << article.body;
    for (const RuleHit& hit : got.hits) {
      EXPECT_EQ(std::vector<match::Highlight>(hit.highlights.begin(),
                                              hit.highlights.end()),
                *match::Evaluate(hit.rule->rule, analyzed));
    }
    matches += got.hits.size();
    candidates += got.stats.candidates;
  }
  EXPECT_GT(matches, 1000u);  // the corpus does exercise matching
  EXPECT_LT(candidates, 100u * rules.size());  // and the index does filter
}

// Verifies index == brute force when anchors come from document frequencies
// (the daemon's default once articles are stored): anchors change which rules
// are candidates, never which match.
TEST(IndexDifferentialTest, DocumentFrequencyAnchorsMatchBruteForce) {
  RandomCorpus corpus(20261130);
  const auto rules = RandomRules(corpus, 2000);
  DocumentFrequencyCostModel::Builder sample;
  for (int a = 0; a < 200; ++a) {
    const match::AnalyzedArticle analyzed = corpus.Article().Analyze();
    sample.Add(ArticleTerms::Collect(analyzed));
  }
  const auto costs = std::move(sample).Build();
  const RuleSnapshot by_df(rules, 1, costs.get());
  const RuleSnapshot by_length(rules);
  uint64_t matches = 0, candidates_df = 0, candidates_length = 0;
  for (int a = 0; a < 100; ++a) {
    const testing::TestArticle article = corpus.Article();
    const match::AnalyzedArticle analyzed = article.Analyze();
    const MatchResult got = by_df.MatchWithStats(analyzed);
    ASSERT_EQ(Ids(got.hits), BruteForce(rules, analyzed)) << "article " << a;
    for (const RuleHit& hit : got.hits) {
      EXPECT_EQ(std::vector<match::Highlight>(hit.highlights.begin(),
                                              hit.highlights.end()),
                *match::Evaluate(hit.rule->rule, analyzed));
    }
    matches += got.hits.size();
    candidates_df += got.stats.candidates;
    candidates_length += by_length.MatchWithStats(analyzed).stats.candidates;
  }
  EXPECT_GT(matches, 500u);
  // The model was used: it anchors differently from the static estimate.
  EXPECT_NE(candidates_df, candidates_length);
}

// Verifies index == brute force while rules are added, replaced and removed
// through a registry with a tiny delta, so snapshots combine base, tombstones
// and delta and merges happen (inline and in the background).
TEST(IndexDifferentialTest, RegistryChangesMatchBruteForce) {
  for (bool background : {false, true}) {
    RandomCorpus corpus(background ? 7 : 8);
    RuleRegistry registry({.max_delta = 16, .background_merge = background});
    std::vector<std::shared_ptr<const IndexedRule>> live =
        RandomRules(corpus, 300);
    registry.Reset(live);
    std::vector<testing::TestArticle> articles;
    for (int i = 0; i < 20; ++i) articles.push_back(corpus.Article());
    for (int step = 0; step < 200; ++step) {
      const int op = step % 3;
      if (op == 0 || live.empty()) {  // add a new rule
        auto rule = RandomRules(corpus, 1)[0];
        rule = std::make_shared<const IndexedRule>(
            IndexedRule{"n" + std::to_string(step),
                        "s" + std::to_string(step % 5), rule->rule});
        live.push_back(rule);
        registry.Upsert(rule);
      } else if (op == 1) {  // replace a rule's text
        const size_t i = (step * 7919) % live.size();
        auto replacement = RandomRules(corpus, 1)[0];
        live[i] = std::make_shared<const IndexedRule>(
            IndexedRule{live[i]->id, live[i]->subscriber, replacement->rule});
        registry.Upsert(live[i]);
      } else {  // remove one
        const size_t i = (step * 104729) % live.size();
        EXPECT_TRUE(registry.Remove(live[i]->id));
        EXPECT_FALSE(registry.Remove(live[i]->id));
        live.erase(live.begin() + i);
      }
      const auto snapshot = registry.Current();
      ASSERT_EQ(snapshot->size(), live.size());
      const match::AnalyzedArticle analyzed =
          articles[step % articles.size()].Analyze();
      ASSERT_EQ(Ids(snapshot->Match(analyzed).hits), BruteForce(live, analyzed))
          << "step " << step << " background " << background;
    }
    registry.WaitForMerge();
    EXPECT_GT(registry.merges(), 0u);
    const match::AnalyzedArticle analyzed = articles[0].Analyze();
    EXPECT_EQ(Ids(registry.Current()->Match(analyzed).hits),
              BruteForce(live, analyzed));
  }
}

}  // namespace
}  // namespace nw::index
