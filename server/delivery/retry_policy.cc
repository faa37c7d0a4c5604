#include "server/delivery/retry_policy.h"

#include <algorithm>

namespace nw::delivery {

absl::Duration RetryPolicy::Delay(int failures, double u) const {
  absl::Duration full = initial;
  for (int i = 1; i < failures && full < max; ++i) full *= 2;
  full = std::min(full, max);
  u = std::clamp(u, 0.0, 1.0);
  return full * ((1.0 + u) / 2.0);
}

}  // namespace nw::delivery
