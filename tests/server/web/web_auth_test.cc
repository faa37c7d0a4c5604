#include "server/web/web_auth.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/auth/token_hash.h"
#include "tests/testutil/status_matchers.h"

namespace nw::web {
namespace {

using ::nw::testing::IsOk;

using ::testing::HasSubstr;

auth::Authenticator MakeAuthenticator() {
  absl::StatusOr<auth::TokenTable> table =
      auth::TokenTable::Parse("sha256:" + auth::Sha256Hex("t-alice") +
                                  " analyst name=alice subscriber=desk\n",
                              "tokens");
  EXPECT_THAT(table, IsOk());
  return auth::Authenticator(*std::move(table));
}

Request Get(std::vector<std::pair<std::string, std::string>> headers) {
  Request r{.method = "GET", .path = "/api/v1/me"};
  for (auto& [k, v] : headers) r.headers[k] = v;
  return r;
}

// Verifies the cookie and the Authorization header both identify the
// caller, the header winning; no token is 401 saying how to log in.
TEST(WebAuthTest, CookieOrBearerIdentifiesTheCaller) {
  const auth::Authenticator authn = MakeAuthenticator();
  absl::StatusOr<auth::Principal> by_cookie =
      Authenticate(Get({{"cookie", "x=1; nw_session=t-alice; y=2"}}), &authn);
  ASSERT_THAT(by_cookie, IsOk());
  EXPECT_EQ(by_cookie->subscriber, "desk");
  absl::StatusOr<auth::Principal> by_header =
      Authenticate(Get({{"authorization", "Bearer t-alice"},
                        {"cookie", "nw_session=t-bogus"}}),
                   &authn);
  ASSERT_THAT(by_header, IsOk());
  absl::StatusOr<auth::Principal> none = Authenticate(Get({}), &authn);
  EXPECT_EQ(none.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(std::string(none.status().message()),
              HasSubstr("POST /api/v1/session"));
  EXPECT_EQ(Authenticate(Get({{"cookie", "nw_session=t-bogus"}}), &authn)
                .status()
                .code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(Authenticate(Get({{"authorization", "Basic eDp5"},
                              {"cookie", "nw_session=t-alice"}}),
                         &authn)
                .status()
                .code(),
            absl::StatusCode::kUnauthenticated);
}

// Verifies without a token file everyone is the unrestricted local caller.
TEST(WebAuthTest, NoTokenFileMeansUnrestricted) {
  absl::StatusOr<auth::Principal> p = Authenticate(Get({}), nullptr);
  ASSERT_THAT(p, IsOk());
  EXPECT_EQ(p->role, auth::Role::kAdmin);
}

// Verifies changing requests need the custom header and a same-origin
// Origin; reads need neither.
TEST(WebAuthTest, CsrfNeedsHeaderAndSameOrigin) {
  Request r{.method = "POST", .path = "/api/v1/rules"};
  r.headers["host"] = "127.0.0.1:7380";
  EXPECT_EQ(CheckCsrf(r).code(), absl::StatusCode::kPermissionDenied);
  r.headers["x-newswatch"] = "1";
  EXPECT_THAT(CheckCsrf(r), IsOk());
  r.headers["origin"] = "http://127.0.0.1:7380";
  EXPECT_THAT(CheckCsrf(r), IsOk());
  r.headers["origin"] = "http://evil.example";
  absl::Status foreign = CheckCsrf(r);
  EXPECT_EQ(foreign.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(foreign.message()), HasSubstr("evil.example"));
  Request get{.method = "GET"};
  EXPECT_THAT(CheckCsrf(get), IsOk());
  Request del{.method = "DELETE"};
  EXPECT_FALSE(CheckCsrf(del).ok());
}

// Verifies a page on another name (DNS rebinding) is refused.
TEST(WebAuthTest, HostMustBeTheConsoleAddress) {
  const std::vector<std::string> allowed = {"127.0.0.1:7380", "localhost:7380"};
  EXPECT_THAT(CheckHost(Get({{"host", "127.0.0.1:7380"}}), allowed), IsOk());
  EXPECT_THAT(CheckHost(Get({{"host", "LOCALHOST:7380"}}), allowed), IsOk());
  EXPECT_FALSE(CheckHost(Get({{"host", "evil.example:7380"}}), allowed).ok());
  EXPECT_FALSE(CheckHost(Get({}), allowed).ok());
  EXPECT_THAT(CheckHost(Get({{"host", "anything"}}), {}), IsOk());
}

// Verifies the session cookie cannot be read by scripts or sent cross-site.
TEST(WebAuthTest, SessionCookieIsHttpOnlyAndStrict) {
  EXPECT_THAT(SessionCookie("t"), HasSubstr("HttpOnly"));
  EXPECT_THAT(SessionCookie("t"), HasSubstr("SameSite=Strict"));
  EXPECT_THAT(ClearedSessionCookie(), HasSubstr("Max-Age=0"));
}

}  // namespace
}  // namespace nw::web
