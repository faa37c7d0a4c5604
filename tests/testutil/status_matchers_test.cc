#include "tests/testutil/status_matchers.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nw::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(StatusMatchersTest, MatchAndExplain) {
  const absl::Status not_found = absl::NotFoundError("no rule r-9");
  EXPECT_THAT(absl::OkStatus(), IsOk());
  EXPECT_THAT(absl::StatusOr<int>(3), IsOk());
  EXPECT_THAT(not_found, Not(IsOk()));
  EXPECT_THAT(not_found, StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(absl::StatusOr<int>(not_found),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("r-9")));
  EXPECT_THAT(not_found,
              Not(StatusIs(absl::StatusCode::kNotFound, HasSubstr("r-8"))));
  EXPECT_THAT(not_found, Not(StatusIs(absl::StatusCode::kInternal)));

  // A failing assertion prints the status.
  ::testing::StringMatchResultListener listener;
  EXPECT_FALSE(::testing::ExplainMatchResult(IsOk(), not_found, &listener));
  EXPECT_THAT(listener.str(), HasSubstr("NOT_FOUND: no rule r-9"));
}

}  // namespace
}  // namespace nw::testing
