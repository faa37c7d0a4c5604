// File: server/rules/word_atoms.h
//
// Internal to nw_rules: turns WORDs and PHRASEs of rule text into term, prefix
// and phrase nodes by analyzing them exactly like article text
// (rule-language.md §2).
#ifndef NW_SERVER_RULES_WORD_ATOMS_H_
#define NW_SERVER_RULES_WORD_ATOMS_H_

#include <cstdint>
#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "server/rules/ast.h"

namespace nw::rules {

// Spec §4 limit: at most 256 terms, prefixes and phrase words in a rule.
inline constexpr uint32_t kMaxRuleWords = 256;

// Counts the words of a rule against kMaxRuleWords.
class WordBudget {
 public:
  // Adds `n` words found at byte `offset`; InvalidArgument at `offset` if that
  // makes the total exceed kMaxRuleWords.
  absl::Status Spend(uint32_t n, uint32_t offset);
  uint32_t used() const { return used_; }

 private:
  uint32_t used_ = 0;
};

// Analyzes the WORD `word` found at byte `offset` (not a field scope): a term,
// a prefix (trailing '*', exactly one word of >= 3 code points before it) or a
// phrase (several words). Errors (at `offset`): no words, a misplaced '*', a
// bad prefix, a dangling '-', the word limit.
absl::StatusOr<std::unique_ptr<Node>> WordAtom(std::string_view word,
                                               uint32_t offset,
                                               WordBudget* budget);

// Analyzes the PHRASE whose opening quote is at byte `quote_offset` and whose
// text between the quotes is `content`: split at white space, each WORD
// analyzed as by WordAtom(), concatenated. One element gives a term or prefix
// node. Errors: an empty phrase (at the quote), the errors of WordAtom() at the
// offending WORD.
absl::StatusOr<std::unique_ptr<Node>> PhraseAtom(std::string_view content,
                                                 uint32_t quote_offset,
                                                 WordBudget* budget);

}  // namespace nw::rules

#endif  // NW_SERVER_RULES_WORD_ATOMS_H_
