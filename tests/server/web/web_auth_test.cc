#include "server/web/web_auth.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/auth/token_hash.h"
#include "server/base/clock.h"
#include "server/web/session_table.h"
#include "tests/testutil/status_matchers.h"

namespace nw::web {
namespace {

using ::nw::testing::IsOk;

using ::testing::HasSubstr;
using ::testing::Not;

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

// Verifies the Authorization header and a running session's cookie both
// identify the caller, the header winning; no credential is 401 saying how
// to log in.
TEST(WebAuthTest, BearerOrSessionIdentifiesTheCaller) {
  const auth::Authenticator authn = MakeAuthenticator();
  base::FakeClock clock(absl::FromUnixSeconds(1'000'000));
  std::unique_ptr<SessionTable> table = *SessionTable::Open(clock, nullptr);
  SessionTable& sessions = *table;
  absl::StatusOr<std::string> id = sessions.Create(auth::Sha256Hex("t-alice"));
  ASSERT_THAT(id, IsOk());
  absl::StatusOr<auth::Principal> by_cookie = Authenticate(
      Get({{"cookie", "x=1; nw_session=" + *id + "; y=2"}}), &authn, sessions);
  ASSERT_THAT(by_cookie, IsOk());
  EXPECT_EQ(by_cookie->subscriber, "desk");
  absl::StatusOr<auth::Principal> by_header =
      Authenticate(Get({{"authorization", "Bearer t-alice"},
                        {"cookie", "nw_session=t-bogus"}}),
                   &authn, sessions);
  ASSERT_THAT(by_header, IsOk());
  absl::StatusOr<auth::Principal> none =
      Authenticate(Get({}), &authn, sessions);
  EXPECT_EQ(none.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(std::string(none.status().message()),
              HasSubstr("POST /api/v1/session"));
  EXPECT_EQ(Authenticate(Get({{"authorization", "Basic eDp5"},
                              {"cookie", "nw_session=" + *id}}),
                         &authn, sessions)
                .status()
                .code(),
            absl::StatusCode::kUnauthenticated);
}

// Verifies the cookie is a session, not a token: the token itself in the
// cookie is refused, and an ended session is refused with a message saying
// to log in again.
TEST(WebAuthTest, CookieHoldsASessionNotTheToken) {
  const auth::Authenticator authn = MakeAuthenticator();
  base::FakeClock clock(absl::FromUnixSeconds(1'000'000));
  std::unique_ptr<SessionTable> table = *SessionTable::Open(clock, nullptr);
  SessionTable& sessions = *table;
  EXPECT_EQ(
      Authenticate(Get({{"cookie", "nw_session=t-alice"}}), &authn, sessions)
          .status()
          .code(),
      absl::StatusCode::kUnauthenticated);
  absl::StatusOr<std::string> id = sessions.Create(auth::Sha256Hex("t-alice"));
  ASSERT_THAT(id, IsOk());
  EXPECT_THAT(sessions.End(*id), IsOk());
  absl::StatusOr<auth::Principal> ended =
      Authenticate(Get({{"cookie", "nw_session=" + *id}}), &authn, sessions);
  EXPECT_EQ(ended.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(std::string(ended.status().message()), HasSubstr("log in again"));
}

// Verifies a session made from a token that the token file no longer holds
// is refused: the token stays the authority.
TEST(WebAuthTest, SessionOfARevokedTokenIsRefused) {
  const auth::Authenticator authn = MakeAuthenticator();
  base::FakeClock clock(absl::FromUnixSeconds(1'000'000));
  std::unique_ptr<SessionTable> table = *SessionTable::Open(clock, nullptr);
  SessionTable& sessions = *table;
  absl::StatusOr<std::string> id =
      sessions.Create(auth::Sha256Hex("t-removed"));
  ASSERT_THAT(id, IsOk());
  EXPECT_EQ(
      Authenticate(Get({{"cookie", "nw_session=" + *id}}), &authn, sessions)
          .status()
          .code(),
      absl::StatusCode::kUnauthenticated);
}

// Verifies a stream opened with a session keeps a credential that the token
// file's reload can check, and that a bearer header's is kept as sent.
TEST(WebAuthTest, StreamCredentialIdentifiesTheToken) {
  const auth::Authenticator authn = MakeAuthenticator();
  base::FakeClock clock(absl::FromUnixSeconds(1'000'000));
  std::unique_ptr<SessionTable> table = *SessionTable::Open(clock, nullptr);
  absl::StatusOr<std::string> id = table->Create(auth::Sha256Hex("t-alice"));
  ASSERT_THAT(id, IsOk());
  const std::string by_session =
      StreamCredentialOf(Get({{"cookie", "nw_session=" + *id}}), *table);
  EXPECT_THAT(by_session, Not(HasSubstr("t-alice")));
  absl::StatusOr<auth::Principal> who =
      IdentifyStreamCredential(authn, by_session);
  ASSERT_THAT(who, IsOk());
  EXPECT_EQ(who->subscriber, "desk");
  EXPECT_EQ(
      StreamCredentialOf(Get({{"authorization", "Bearer t-alice"}}), *table),
      "Bearer t-alice");
  EXPECT_THAT(IdentifyStreamCredential(authn, "Bearer t-alice"), IsOk());
  EXPECT_FALSE(IdentifyStreamCredential(authn, "Bearer t-other").ok());
  // A hash presented as a bearer token is no credential.
  EXPECT_FALSE(
      IdentifyStreamCredential(authn, "Bearer " + auth::Sha256Hex("t-alice"))
          .ok());
}

// Verifies without a token file everyone is the unrestricted local caller.
TEST(WebAuthTest, NoTokenFileMeansUnrestricted) {
  base::FakeClock clock(absl::FromUnixSeconds(1'000'000));
  std::unique_ptr<SessionTable> table = *SessionTable::Open(clock, nullptr);
  SessionTable& sessions = *table;
  absl::StatusOr<auth::Principal> p = Authenticate(Get({}), nullptr, sessions);
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
