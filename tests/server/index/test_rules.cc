#include "tests/server/index/test_rules.h"

#include <algorithm>
#include <tuple>

#include "server/match/evaluator.h"
#include "server/rules/parser.h"

namespace nw::index::testing {
namespace {

// Shared prefixes (oil/oils/oilseed, bank/banker/banks, ...), a diacritic, a
// possessive, a dotted word and a number.
const char* const kVocabulary[] = {
    "oil",    "oils",  "oilseed", "opec",  "open",  "operation", "bank",
    "banker", "banks", "rate",    "rates", "price", "prices",    "crude",
    "gold",   "grain", "wheat",   "corn",  "trade", "trader",    "U.S.",
    "Japan",  "yen",   "dollar",  "Café",  "cafe",  "Japan's",   "10,000",
    "and",    "or",    "near",    "the"};
const char* const kSources[] = {"reuters", "bbc", "nikkei"};
const char* const kLangs[] = {"en", "en-gb", "fr", "EN", "de-ch"};
const char* const kTags[] = {"Oil", "grain", "usa", "Japan"};

}  // namespace

std::shared_ptr<const IndexedRule> MakeRule(const std::string& id,
                                            const std::string& subscriber,
                                            const std::string& text) {
  auto compiled = rules::ParseRule(text);
  if (!compiled.ok()) return nullptr;
  return std::make_shared<const IndexedRule>(
      IndexedRule{id, subscriber, (*compiled)->compact()});
}

match::AnalyzedArticle TestArticle::Analyze() const {
  match::ArticleText text{
      .title = title, .body = body, .source = source, .lang = lang};
  for (const std::string& t : tags) text.tags.push_back(t);
  return match::AnalyzedArticle::Analyze(text);
}

std::string RandomCorpus::Word() {
  return kVocabulary[Uniform(std::size(kVocabulary))];
}

std::string RandomCorpus::Leaf() {
  switch (Uniform(6)) {
    case 0:
    case 1:
      return Word();
    case 2: {  // prefix of a vocabulary word (at least 3 letters)
      std::string w = kVocabulary[Uniform(20)];
      return w.substr(0, 3 + Uniform(static_cast<int>(w.size()) - 2)) + "*";
    }
    case 3: {
      std::string p = "\"" + Word();
      for (int i = 0, n = 1 + Uniform(2); i < n; ++i) {
        p += " " + (Uniform(5) == 0 ? std::string("oil*") : Word());
      }
      return p + "\"";
    }
    case 4:
      return "non-" + Word();  // several words: a phrase
    default:
      return Word();
  }
}

std::string RandomCorpus::NearOperand() {
  std::string op =
      Uniform(4) == 0 ? "(" + Leaf() + " OR " + Leaf() + ")" : Leaf();
  if (Uniform(5) == 0) op = (Uniform(2) ? "title:" : "body:") + op;
  return op;
}

std::string RandomCorpus::Expr(int depth) {
  const int choice = depth >= 3 ? Uniform(3) : Uniform(12);
  switch (choice) {
    case 0:
    case 1:
      return Leaf();
    case 2:
      switch (Uniform(4)) {
        case 0:
          return std::string("source:") + kSources[Uniform(3)];
        case 1:
          return std::string("lang:") + kLangs[Uniform(5)];
        case 2:
          return std::string("tag:") + kTags[Uniform(4)];
        default:
          return Leaf();
      }
    case 3:
    case 4:
      return "(" + Expr(depth + 1) + " " + Expr(depth + 1) + ")";
    case 5:
      return "(" + Expr(depth + 1) + " AND " + Expr(depth + 1) + ")";
    case 6:
    case 7:
      return "(" + Expr(depth + 1) + " OR " + Expr(depth + 1) + ")";
    case 8:
      return "(" + Expr(depth + 1) + (Uniform(2) ? " NOT " : " -") +
             Expr(depth + 1) + ")";
    case 9:
      return "(" + NearOperand() + " NEAR/" + std::to_string(1 + Uniform(5)) +
             " " + NearOperand() + ")";
    case 10:
      return (Uniform(2) ? "title:(" : "body:(") + Expr(3) + ")";
    default:
      return "NOT (NOT " + Expr(depth + 1) +
             ")";  // anchorless: always evaluated
  }
}

std::string RandomCorpus::Rule() { return Expr(0); }

TestArticle RandomCorpus::Article() {
  TestArticle a;
  auto text = [&](int n) {
    std::string s;
    for (int i = 0; i < n; ++i) {
      s += Word();
      s += Uniform(6) == 0 ? ", " : " ";
    }
    return s;
  };
  a.title = text(Uniform(6));
  a.body = text(3 + Uniform(25));
  a.source = Uniform(5) == 0 ? "BBC" : kSources[Uniform(3)];
  a.lang = kLangs[Uniform(5)];
  for (int i = 0, n = Uniform(3); i < n; ++i)
    a.tags.push_back(kTags[Uniform(4)]);
  return a;
}

std::vector<std::string> BruteForce(
    const std::vector<std::shared_ptr<const IndexedRule>>& rules,
    const match::AnalyzedArticle& article) {
  std::vector<std::shared_ptr<const IndexedRule>> sorted = rules;
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return std::tie(a->subscriber, a->id) < std::tie(b->subscriber, b->id);
  });
  std::vector<std::string> ids;
  for (const auto& r : sorted) {
    if (match::Evaluate(r->rule, article)) ids.push_back(r->id);
  }
  return ids;
}

std::vector<std::string> Ids(const std::vector<RuleHit>& hits) {
  std::vector<std::string> ids;
  for (const RuleHit& h : hits) ids.push_back(h.rule->id);
  return ids;
}

}  // namespace nw::index::testing
