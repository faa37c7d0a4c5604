#include "client/lib/rule_json.h"

#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "server/base/closest_name.h"
#include "server/base/utf8.h"

namespace nw::client {
namespace {

const std::vector<absl::string_view>& Keys() {
  static const auto* keys = new std::vector<absl::string_view>{
      "id", "subscriber", "rule", "query", "label"};
  return *keys;
}

}  // namespace

absl::StatusOr<newswatch::v1::WatchRule> ParseRuleJson(absl::string_view line) {
  if (const std::optional<size_t> bad = base::FindInvalidUtf8(line)) {
    return absl::InvalidArgumentError(
        absl::StrCat("not UTF-8: invalid byte at offset ", *bad,
                     " (save the file as UTF-8)"));
  }
  nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded()) return absl::InvalidArgumentError("not JSON");
  if (!j.is_object()) {
    return absl::InvalidArgumentError(
        "not a JSON object: want {\"subscriber\", \"rule\"}");
  }
  newswatch::v1::WatchRule rule;
  for (const auto& [key, value] : j.items()) {
    std::string* field = nullptr;
    if (key == "id") field = rule.mutable_id();
    if (key == "subscriber") field = rule.mutable_subscriber();
    if (key == "rule" || key == "query") field = rule.mutable_query();
    if (key == "label") field = rule.mutable_label();
    if (field == nullptr) {
      std::string hint;
      if (std::string closest = base::ClosestName(key, Keys());
          !closest.empty()) {
        hint = absl::StrCat(" (did you mean \"", closest, "\"?)");
      }
      return absl::InvalidArgumentError(
          absl::StrCat("unknown key \"", key, "\"", hint));
    }
    if (!value.is_string()) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", key, "\" must be a string"));
    }
    *field = value.get<std::string>();
  }
  if (rule.query().empty())
    return absl::InvalidArgumentError("no \"rule\": the query is required");
  return rule;
}

std::string RuleToJson(const newswatch::v1::WatchRule& rule) {
  nlohmann::ordered_json j;
  j["id"] = rule.id();
  j["subscriber"] = rule.subscriber();
  j["rule"] = rule.query();
  if (!rule.label().empty()) j["label"] = rule.label();
  return j.dump();
}

}  // namespace nw::client
