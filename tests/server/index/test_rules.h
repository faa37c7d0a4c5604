// Helpers shared by the index tests: compiling rules, analyzing articles, a
// random rule and article generator covering every construct of the rule
// language, and the brute-force oracle (match::Evaluate over every rule).
#ifndef NW_TESTS_SERVER_INDEX_TEST_RULES_H_
#define NW_TESTS_SERVER_INDEX_TEST_RULES_H_

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "server/index/rule_snapshot.h"
#include "server/match/analyzed_article.h"

namespace nw::index::testing {

// Parses `text`; null when the parser rejects it.
std::shared_ptr<const IndexedRule> MakeRule(const std::string& id,
                                            const std::string& subscriber,
                                            const std::string& text);

// An article that owns its strings.
struct TestArticle {
  std::string title, body, source, lang;
  std::vector<std::string> tags;
  match::AnalyzedArticle Analyze() const;
};

// Random rule texts and articles over a small vocabulary with shared prefixes,
// so that matches (and near misses) are frequent.
class RandomCorpus {
 public:
  explicit RandomCorpus(uint32_t seed) : rng_(seed) {}
  std::string Rule();
  TestArticle Article();

 private:
  std::string Word();
  std::string Leaf();
  std::string NearOperand();
  std::string Expr(int depth);
  int Uniform(int n) {
    return std::uniform_int_distribution<int>(0, n - 1)(rng_);
  }

  std::mt19937 rng_;
};

// The ids of the rules of `rules` that match `article`, by brute force, ordered
// by (subscriber, id).
std::vector<std::string> BruteForce(
    const std::vector<std::shared_ptr<const IndexedRule>>& rules,
    const match::AnalyzedArticle& article);

// The ids of `hits`, in order.
std::vector<std::string> Ids(const std::vector<RuleHit>& hits);

}  // namespace nw::index::testing

#endif  // NW_TESTS_SERVER_INDEX_TEST_RULES_H_
