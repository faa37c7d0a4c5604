// File: server/match/evaluator.h
//
// Exact evaluation of one compiled watch rule against one analyzed article
// (rule-language.md §3) and the highlights of a match (§5).
//
// Thread safety: Evaluate() may run concurrently on shared rules and articles.
#ifndef NW_SERVER_MATCH_EVALUATOR_H_
#define NW_SERVER_MATCH_EVALUATOR_H_

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "server/match/analyzed_article.h"
#include "server/rules/compiled_rule.h"

namespace nw::match {

// A matched range of a text field: bytes [begin, end) of its original UTF-8
// text.
struct Highlight {
  Field field;
  uint32_t begin;
  uint32_t end;
  friend bool operator==(const Highlight&, const Highlight&) = default;
};

// Evaluates `rule` against `article` exactly (spec §3). Returns nullopt when
// the rule does not match; otherwise the highlights of spec §5: every
// occurrence of every term, prefix and phrase of the rule that is not under a
// NOT, in the fields it searches, sorted title first then by begin (then end),
// without duplicates. The list is empty only when the rule matched on metadata
// alone.
std::optional<std::vector<Highlight>> Evaluate(
    const nw::rules::CompiledRule& rule, const AnalyzedArticle& article);
// The same on the rule's compact form (what the matcher keeps).
std::optional<std::vector<Highlight>> Evaluate(
    const nw::rules::CompactRule& rule, const AnalyzedArticle& article);

// The two halves of Evaluate, for callers that keep their own buffers: whether
// `rule` matches (spec §3), and, for a rule that matched, appending its
// highlights (§5: sorted, without duplicates) to `out`.
// `compact` is CompactRule::bytes().
bool RuleMatches(std::string_view compact, const AnalyzedArticle& article);
void AppendHighlights(std::string_view compact, const AnalyzedArticle& article,
                      std::vector<Highlight>* out);

}  // namespace nw::match

#endif  // NW_SERVER_MATCH_EVALUATOR_H_
