#include "server/auth/authenticator.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/auth/token_hash.h"
#include "tests/testutil/status_matchers.h"

namespace nw::auth {
namespace {

using ::nw::testing::IsOk;

using ::testing::HasSubstr;

Authenticator MakeAuthenticator() {
  absl::StatusOr<TokenTable> table = TokenTable::Parse(
      "sha256:" + Sha256Hex("t-feed") + " ingest name=feed\n" + "sha256:" +
          Sha256Hex("t-alice") + " analyst name=alice subscriber=desk-asia\n",
      "tokens");
  EXPECT_THAT(table, IsOk());
  return Authenticator(*std::move(table));
}

constexpr char kSubmit[] = "/newswatch.v1.IngestService/SubmitArticle";

// Verifies missing, malformed and unknown tokens are UNAUTHENTICATED with
// a message that says what to do.
TEST(AuthenticatorTest, RefusesMissingMalformedAndUnknownTokens) {
  const Authenticator authn = MakeAuthenticator();
  absl::Status missing = authn.CheckCall(kSubmit, std::nullopt);
  EXPECT_EQ(missing.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(
      std::string(missing.message()),
      HasSubstr("missing bearer token: pass --token or set NEWSWATCH_TOKEN"));
  absl::Status basic = authn.CheckCall(kSubmit, "Basic dDpmZWVk");
  EXPECT_EQ(basic.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(std::string(basic.message()), HasSubstr("'Bearer <token>'"));
  absl::Status unknown = authn.CheckCall(kSubmit, "Bearer t-nobody");
  EXPECT_EQ(unknown.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(std::string(unknown.message()),
              HasSubstr("unknown bearer token"));
}

// Verifies a known token passes for its methods, PERMISSION_DENIED for others,
// and the scheme is case-insensitive.
TEST(AuthenticatorTest, AppliesThePolicy) {
  const Authenticator authn = MakeAuthenticator();
  EXPECT_THAT(authn.CheckCall(kSubmit, "Bearer t-feed"), IsOk());
  EXPECT_THAT(authn.CheckCall(kSubmit, "bearer  t-feed"), IsOk());
  EXPECT_EQ(authn.CheckCall(kSubmit, "Bearer t-alice").code(),
            absl::StatusCode::kPermissionDenied);
}

// Verifies health needs no token, even a wrong one.
TEST(AuthenticatorTest, HealthIsOpen) {
  const Authenticator authn = MakeAuthenticator();
  EXPECT_TRUE(
      authn.CheckCall("/grpc.health.v1.Health/Check", std::nullopt).ok());
  EXPECT_TRUE(
      authn.CheckCall("/grpc.health.v1.Health/Check", "Bearer junk").ok());
  EXPECT_EQ(
      authn
          .CheckCall(
              "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
              std::nullopt)
          .code(),
      absl::StatusCode::kUnauthenticated);
}

// Verifies Identify returns the token's principal.
TEST(AuthenticatorTest, Identify) {
  const Authenticator authn = MakeAuthenticator();
  absl::StatusOr<Principal> alice = authn.Identify("Bearer t-alice");
  ASSERT_THAT(alice, IsOk());
  EXPECT_EQ(alice->subscriber, "desk-asia");
  EXPECT_EQ(authn.Identify(std::nullopt).status().code(),
            absl::StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace nw::auth
