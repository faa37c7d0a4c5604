// Backoff with jitter and the pause of a failing webhook.
#include "server/delivery/retry_policy.h"

#include "gtest/gtest.h"

namespace nw::delivery {
namespace {

// Verifies delays double from `initial`, are capped at `max`, and the jitter
// keeps each between half and all of the full delay.
TEST(RetryPolicyTest, ExponentialWithJitter) {
  const RetryPolicy p{.initial = absl::Seconds(1), .max = absl::Seconds(60)};
  EXPECT_EQ(p.Delay(1, 0.0), absl::Milliseconds(500));
  EXPECT_EQ(p.Delay(1, 1.0), absl::Seconds(1));
  EXPECT_EQ(p.Delay(2, 1.0), absl::Seconds(2));
  EXPECT_EQ(p.Delay(4, 1.0), absl::Seconds(8));
  EXPECT_EQ(p.Delay(30, 1.0), absl::Seconds(60));
  EXPECT_EQ(p.Delay(1000, 0.0), absl::Seconds(30));
  EXPECT_GT(p.Delay(3, 0.7), p.Delay(3, 0.2));
}

// Verifies an endpoint is paused once it has failed for pause_after.
TEST(RetryPolicyTest, Pause) {
  const RetryPolicy p{.pause_after = absl::Hours(1)};
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  EXPECT_FALSE(p.ShouldPause(t0, t0 + absl::Minutes(59)));
  EXPECT_TRUE(p.ShouldPause(t0, t0 + absl::Hours(1)));
}

}  // namespace
}  // namespace nw::delivery
