#include "storage/alert_record.h"

namespace nw::storage {

void EncodeAlertRecord(const newswatch::v1::Alert& alert, bool compact,
                       std::string* value) {
  value->clear();
  if (compact) value->push_back(kCompactAlertMarker);
  alert.AppendToString(value);
}

absl::StatusOr<bool> DecodeAlertRecord(absl::string_view value,
                                       newswatch::v1::Alert* alert) {
  const bool compact = !value.empty() && value.front() == kCompactAlertMarker;
  if (compact) value.remove_prefix(1);
  if (!alert->ParseFromArray(value.data(), static_cast<int>(value.size())))
    return absl::DataLossError("a stored alert does not parse");
  return compact;
}

void SetRuleIdsFromMatches(newswatch::v1::Alert& alert) {
  alert.clear_rule_ids();
  for (const newswatch::v1::RuleMatch& match : alert.matches())
    alert.add_rule_ids(match.rule_id());
}

}  // namespace nw::storage
