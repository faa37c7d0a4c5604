#include "server/base/time_range.h"

#include "absl/strings/str_cat.h"

namespace nw::base {
namespace {

constexpr int64_t kMinSeconds = -62135596800;  // 0001-01-01T00:00:00Z
constexpr int64_t kMaxSeconds = 253402300799;  // 9999-12-31T23:59:59Z

}  // namespace

absl::StatusOr<absl::Time> CheckedTime(absl::string_view what, int64_t seconds,
                                       int32_t nanos) {
  if (seconds < kMinSeconds || seconds > kMaxSeconds || nanos < 0 ||
      nanos > 999999999) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, " {seconds: ", seconds, ", nanos: ", nanos,
        "} is not a valid time: years 0001-9999, nanos 0-999999999"));
  }
  return absl::FromUnixSeconds(seconds) + absl::Nanoseconds(nanos);
}

}  // namespace nw::base
