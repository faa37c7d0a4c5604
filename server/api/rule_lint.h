// File: server/api/rule_lint.h
//
// Lint for watch rules: warnings, not errors, for what is almost always a
// mistake in a rule that parses (issue 11). Pure functions.
#ifndef NW_SERVER_API_RULE_LINT_H_
#define NW_SERVER_API_RULE_LINT_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace nw::api {

// Warnings for `query`, which parsed into `canonical` (and has no anchor word
// when `always_evaluated`), given the canonical forms of the subscriber's
// other rules:
//  * "and", "or", "not" or "near/N" in lower case outside quotes: read as
//    words, not operators;
//  * the same canonical form as an existing rule;
//  * only stop words as words ("the"): matches nearly every article;
//  * no anchor word (only NOT terms or filters): evaluated for every article.
std::vector<std::string> LintRule(
    absl::string_view query, absl::string_view canonical, bool always_evaluated,
    const std::vector<std::string>& other_canonicals);

}  // namespace nw::api

#endif  // NW_SERVER_API_RULE_LINT_H_
