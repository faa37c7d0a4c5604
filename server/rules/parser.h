// File: server/rules/parser.h
//
// Entry point of the watch-rule language (rule-language.md §2, §4).
#ifndef NW_SERVER_RULES_PARSER_H_
#define NW_SERVER_RULES_PARSER_H_

#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "server/rules/compiled_rule.h"
#include "server/rules/rule_error.h"  // RuleErrorOffset()

namespace nw::rules {

// Spec §4 limits.
inline constexpr size_t kMaxRuleBytes = 4096;
inline constexpr int kMaxRuleDepth = 32;  // nesting of parentheses

// Parses and checks the rule `text` (UTF-8). Returns the compiled rule, or
// InvalidArgument with a message that tells the analyst what to fix and the
// 0-based byte offset of the fault (spec §4) attached: read it with
// RuleErrorOffset(). Errors: invalid UTF-8, syntax errors, unknown fields, bad
// words or prefixes, bad NEAR operands, negation-only rules (offset 0), and the
// limits: more than 4096 bytes (offset 0), more than 256 words, parentheses
// nested deeper than 32.
absl::StatusOr<std::shared_ptr<const CompiledRule>> ParseRule(
    std::string_view text);

// The same checks and errors as ParseRule(), giving only the compact form:
// no copy of the text, no canonical form, no tree kept. For loading many
// stored rules at once (the daemon's start, the benchmark; issue 16).
absl::StatusOr<CompactRule> ParseRuleCompact(std::string_view text);

}  // namespace nw::rules

#endif  // NW_SERVER_RULES_PARSER_H_
