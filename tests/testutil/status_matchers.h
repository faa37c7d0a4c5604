// File: tests/testutil/status_matchers.h
//
// gMock matchers for absl::Status and absl::StatusOr<T> (Abseil 20220623 has
// none), so that a failing assertion prints the status instead of "false":
//
//   EXPECT_THAT(db->Put(k, v), IsOk());
//   ASSERT_THAT(ParseRule("(a"), StatusIs(absl::StatusCode::kInvalidArgument));
//   EXPECT_THAT(s, StatusIs(absl::StatusCode::kNotFound, HasSubstr("r-9")));
#ifndef NW_TESTS_TESTUTIL_STATUS_MATCHERS_H_
#define NW_TESTS_TESTUTIL_STATUS_MATCHERS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"

namespace nw::testing {
namespace status_internal {

inline const absl::Status& GetStatus(const absl::Status& status) {
  return status;
}
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

}  // namespace status_internal

// The Status (or StatusOr's status) is OK.
MATCHER(IsOk, negation ? "is not OK" : "is OK") {
  const absl::Status& status = status_internal::GetStatus(arg);
  if (!status.ok()) *result_listener << "whose status is " << status;
  return status.ok();
}

// The status has `code` (and, in the second form, a message matching
// `message_matcher`).
MATCHER_P(StatusIs, code,
          std::string(negation ? "has a code other than " : "has code ") +
              absl::StatusCodeToString(code)) {
  const absl::Status& status = status_internal::GetStatus(arg);
  *result_listener << "whose status is " << status;
  return status.code() == code;
}
MATCHER_P2(StatusIs, code, message_matcher,
           std::string(negation ? "does not have code " : "has code ") +
               absl::StatusCodeToString(code) + " and a message that " +
               ::testing::DescribeMatcher<std::string>(message_matcher,
                                                       negation)) {
  const absl::Status& status = status_internal::GetStatus(arg);
  *result_listener << "whose status is " << status;
  return status.code() == code &&
         ::testing::Matches(message_matcher)(std::string(status.message()));
}

}  // namespace nw::testing

#endif  // NW_TESTS_TESTUTIL_STATUS_MATCHERS_H_
