// File: server/delivery/retry_policy.h
//
// When a failed delivery is tried again, and when an endpoint that keeps
// failing is paused: exponential backoff with jitter ("equal jitter": half
// the delay fixed, half random, so retries of many endpoints spread out but
// none comes back too early), capped, and a pause once the endpoint has
// failed without a single success for `pause_after`.
//
// Thread safety: pure value type.
#ifndef NW_SERVER_DELIVERY_RETRY_POLICY_H_
#define NW_SERVER_DELIVERY_RETRY_POLICY_H_

#include "absl/time/time.h"

namespace nw::delivery {

struct RetryPolicy {
  // Delay before the first retry. Default: 1 s.
  absl::Duration initial = absl::Seconds(1);
  // Delays double per failure up to this. Default: 5 min.
  absl::Duration max = absl::Minutes(5);
  // An endpoint failing for this long (since its first failure after a
  // success) is paused. Default: 24 h.
  absl::Duration pause_after = absl::Hours(24);

  // The delay after the `failures`th failure in a row (1 = first), for a
  // random `u` in [0, 1): min(max, initial * 2^(failures-1)) * (1 + u) / 2.
  absl::Duration Delay(int failures, double u) const;

  // Whether an endpoint failing since `failing_since` is paused at `now`.
  bool ShouldPause(absl::Time failing_since, absl::Time now) const {
    return now - failing_since >= pause_after;
  }
};

}  // namespace nw::delivery

#endif  // NW_SERVER_DELIVERY_RETRY_POLICY_H_
