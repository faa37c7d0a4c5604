// File: server/rules/rule_error.h
//
// Rule errors (rule-language.md §4): InvalidArgument statuses that carry the
// 0-based byte offset of the fault in the rule text as a payload.
#ifndef NW_SERVER_RULES_RULE_ERROR_H_
#define NW_SERVER_RULES_RULE_ERROR_H_

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace nw::rules {

// Returns InvalidArgument with `message` (what to fix, followed by " (at byte
// N)") and the byte `offset` attached as a payload for RuleErrorOffset().
absl::Status RuleError(uint32_t offset, absl::string_view message);

// Returns the byte offset attached by RuleError() (spec §4), or nullopt when
// `status` carries none (e.g. OK, or an error not made by this library).
std::optional<uint32_t> RuleErrorOffset(const absl::Status& status);

}  // namespace nw::rules

#endif  // NW_SERVER_RULES_RULE_ERROR_H_
