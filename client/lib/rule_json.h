// File: client/lib/rule_json.h
//
// The JSON Lines rule format of ../shared/bench (one object a line:
// {"id", "subscriber", "rule"}, optionally "label"), read by
// `newswatch rules import` and newswatch-load, written by `rules export`.
#ifndef NW_CLIENT_LIB_RULE_JSON_H_
#define NW_CLIENT_LIB_RULE_JSON_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "newswatch/v1/rule.pb.h"

namespace nw::client {

// One line as a WatchRule: "rule" (or "query") is required; "id",
// "subscriber" and "label" are optional strings. InvalidArgument for bad
// JSON, a non-object, a missing rule, a non-string value or an unknown key
// (naming the closest known one).
absl::StatusOr<newswatch::v1::WatchRule> ParseRuleJson(absl::string_view line);

// `rule` as one line (no '\n'): id, subscriber, rule, and label when set.
std::string RuleToJson(const newswatch::v1::WatchRule& rule);

}  // namespace nw::client

#endif  // NW_CLIENT_LIB_RULE_JSON_H_
