// File: server/base/duration.h
#ifndef NW_SERVER_BASE_DURATION_H_
#define NW_SERVER_BASE_DURATION_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace nw::base {

// Parses a duration as people write it for retention and backfill: "30d",
// "7d", "12h", "90m", "1h30m", "500ms" (whole days "Nd", or anything
// absl::ParseDuration takes). InvalidArgument otherwise, and for negatives.
inline absl::StatusOr<absl::Duration> ParseHumanDuration(
    const std::string& text) {
  absl::Duration d;
  int64_t days = 0;
  if (!text.empty() && text.back() == 'd' &&
      absl::SimpleAtoi(text.substr(0, text.size() - 1), &days)) {
    d = absl::Hours(24 * days);
  } else if (!absl::ParseDuration(text, &d)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", text, "' is not a duration: write e.g. 30d, 12h, 90m or 1h30m"));
  }
  if (d < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("duration '", text, "' is negative"));
  }
  return d;
}

// Writes a duration the way ParseHumanDuration reads it, for messages:
// whole days as "30d" (not absl's "720h"), anything else as absl does.
inline std::string FormatHumanDuration(absl::Duration d) {
  const absl::Duration day = absl::Hours(24);
  if (d >= day && d % day == absl::ZeroDuration()) {
    return absl::StrCat(d / day, "d");
  }
  return absl::FormatDuration(d);
}

}  // namespace nw::base

#endif  // NW_SERVER_BASE_DURATION_H_
