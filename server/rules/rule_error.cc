#include "server/rules/rule_error.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace nw::rules {
namespace {
constexpr char kOffsetPayloadUrl[] =
    "type.googleapis.com/nw.rules.RuleErrorOffset";
}  // namespace

absl::Status RuleError(uint32_t offset, absl::string_view message) {
  absl::Status status(absl::StatusCode::kInvalidArgument,
                      absl::StrCat(message, " (at byte ", offset, ")"));
  status.SetPayload(kOffsetPayloadUrl, absl::Cord(absl::StrCat(offset)));
  return status;
}

std::optional<uint32_t> RuleErrorOffset(const absl::Status& status) {
  if (status.ok()) return std::nullopt;
  absl::optional<absl::Cord> payload = status.GetPayload(kOffsetPayloadUrl);
  if (!payload.has_value()) return std::nullopt;
  uint32_t offset = 0;
  if (!absl::SimpleAtoi(std::string(*payload), &offset)) return std::nullopt;
  return offset;
}

}  // namespace nw::rules
