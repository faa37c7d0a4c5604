// File: server/base/time_range.h
//
// Times clients send (protobuf Timestamps) are checked against the range
// protobuf itself allows, so every consumer can read what newswatch stores.
#ifndef NW_SERVER_BASE_TIME_RANGE_H_
#define NW_SERVER_BASE_TIME_RANGE_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace nw::base {

// The time {seconds, nanos} since the Unix epoch, or InvalidArgument naming
// `what` when it is outside 0001-01-01T00:00:00Z..9999-12-31T23:59:59Z or
// nanos is outside 0..999,999,999. Never overflows (absl::Time, not int64
// nanoseconds, which end in 2262).
absl::StatusOr<absl::Time> CheckedTime(absl::string_view what, int64_t seconds,
                                       int32_t nanos);

}  // namespace nw::base

#endif  // NW_SERVER_BASE_TIME_RANGE_H_
