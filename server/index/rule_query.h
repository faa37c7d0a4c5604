// File: server/index/rule_query.h
//
// The presearcher's view of a watch rule (Lucene monitor's QueryTree and
// QueryDecomposer, in one step). A rule is reduced to a *filter*: a monotone
// boolean formula over article *features* (a word, a word prefix, the source, a
// tag, a language) that is true whenever the rule matches:
//
//   term / prefix      -> that feature           phrase      -> AND of its
//   words AND / OR           -> AND / OR               a NEAR/n b  -> AND of a
//   and b field scope        -> its operand, any field NOT x       -> NOT x if
//   x's filter is
//                                                             exact, else true
//   source/tag/lang    -> that metadata feature
//
// From the filter, a set of *anchors* is chosen: features such that an article
// can satisfy the filter only if it has one of them (a conjunction contributes
// its cheapest child, a disjunction the union of its children). The rule is
// indexed under its anchors; when a rule has none (its filter is `true`, e.g.
// `NOT NOT a`) it must be evaluated for every article.
//
// Thread safety: pure functions.
#ifndef NW_SERVER_INDEX_RULE_QUERY_H_
#define NW_SERVER_INDEX_RULE_QUERY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "server/rules/ast.h"
#include "server/rules/compact_rule.h"

namespace nw::index {

enum class FeatureKind : uint8_t { kTerm, kPrefix, kSource, kTag, kLang };

// Prefix features longer than this are cut to it (still a necessary condition).
inline constexpr size_t kMaxPrefixBytes = 48;

struct Feature {
  FeatureKind kind = FeatureKind::kTerm;
  std::string text;  // normalized as the article side is (spec §1, §2)
  friend bool operator==(const Feature&, const Feature&) = default;
};

// Estimates how likely an article is to have a feature (lower is rarer).
// Anchors minimize the sum of the costs of the chosen features.
class CostModel {
 public:
  virtual ~CostModel() = default;
  virtual double Cost(const Feature& feature) const = 0;
};

// A statistics-free heuristic: longer words are rarer, prefixes are commoner
// than words of their length, common English words and languages are near
// certain.
class StaticCostModel : public CostModel {
 public:
  double Cost(const Feature& feature) const override;
};

// Filter program, postfix: a word is an opcode in its top two bits and an
// operand below: for kOpFeature a feature index (into RuleQuery::features) plus
// kNegatedBit when the feature is under a NOT (it gives no highlight); for
// kOpAnd / kOpOr an operand count; kOpNot negates the value on top.
inline constexpr uint32_t kOpFeature = 0u << 30;
inline constexpr uint32_t kOpAnd = 1u << 30;
inline constexpr uint32_t kOpOr = 2u << 30;
inline constexpr uint32_t kOpNot = 3u << 30;
inline constexpr uint32_t kOpMask = 3u << 30;
inline constexpr uint32_t kArgMask = ~kOpMask;
inline constexpr uint32_t kNegatedBit = 1u << 29;
inline constexpr uint32_t kFeatureMask = kNegatedBit - 1;

struct RuleQuery {
  std::vector<Feature> features;  // distinct
  std::vector<uint32_t> filter;   // postfix program; empty means `true`
  // Indexes into `features`; empty when no feature is necessary (the rule is
  // then evaluated for every article, its filter still applies).
  std::vector<uint32_t> anchors;
  // The filter is equivalent to the rule (only unscoped terms, short prefixes,
  // metadata, AND, OR and NOT): a rule whose filter passes matches, and its
  // highlights are every occurrence of its term and prefix features (spec §5),
  // so the evaluator need not run.
  bool exact = false;
};

// Builds the presearch query of a parsed rule, read straight from its compact
// form (no tree is built). An empty `rule` gives an empty query.
RuleQuery BuildRuleQuery(const rules::CompactRule& rule,
                         const CostModel& costs);
// The same for a checked tree (encodes it first).
RuleQuery BuildRuleQuery(const rules::Node& root, const CostModel& costs);

// A filter in conjunctive form: a list of literal words, each a feature index
// (in the low bits, as kOpFeature words), plus kNegatedBit when the literal is
// negated, plus kOrNextBit when it is ORed with the next word. A run of words
// joined by kOrNextBit is a clause (only positive literals are ORed); the
// filter is the AND of its clauses. Evaluated without a stack or a branch per
// word (the index's common case: AND, OR of words, NOT of a word or of an OR
// of words). A literal is positive exactly when its feature gives
// highlights (spec §5).
inline constexpr uint32_t kOrNextBit = 1u << 30;

// Appends the conjunctive form of filter program [code, code + size) to
// `literals` and returns true, or returns false (appending nothing) when it
// has none of this shape: the program is empty, or has NOT over anything but
// a feature or an OR of features, OR over anything but positive features, or
// a feature under two NOTs.
bool FilterToClauses(const uint32_t* code, size_t size,
                     std::vector<uint32_t>* literals);

// Evaluates `filter` given whether each feature is present (`present(i)`).
// `stack` is scratch space. An empty filter is true.
template <typename Present>
bool EvalFilter(const uint32_t* code, size_t size, Present&& present,
                std::vector<uint8_t>& stack) {
  if (size == 0) return true;
  if (stack.size() < size) stack.resize(size);
  size_t top = 0;
  for (size_t i = 0; i < size; ++i) {
    const uint32_t op = code[i] & kOpMask, arg = code[i] & kArgMask;
    if (op == kOpFeature) {
      stack[top++] = present(arg & kFeatureMask) ? 1 : 0;
      continue;
    }
    if (op == kOpNot) {
      stack[top - 1] ^= 1;
      continue;
    }
    uint8_t v = op == kOpAnd ? 1 : 0;
    for (uint32_t k = 0; k < arg; ++k) {
      v = op == kOpAnd ? (v & stack[top - 1 - k]) : (v | stack[top - 1 - k]);
    }
    top -= arg;
    stack[top++] = v;
  }
  return stack[0] != 0;
}

}  // namespace nw::index

#endif  // NW_SERVER_INDEX_RULE_QUERY_H_
