// File: server/web/web_auth.h
//
// Who is calling the web console, and whether a request may change anything.
// The token travels as "Authorization: Bearer" (curl, scripts); the browser
// trades it once (POST /api/v1/session) for a session whose id the HttpOnly
// cookie holds (session_table.h); neither is ever in a URL. Every request is
// checked against the token file in force (auth::Authenticator), so SIGHUP
// revocation applies at once. Functions of their arguments only.
#ifndef NW_SERVER_WEB_WEB_AUTH_H_
#define NW_SERVER_WEB_WEB_AUTH_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "server/auth/authenticator.h"
#include "server/auth/principal.h"
#include "server/web/http_types.h"
#include "server/web/session_table.h"

namespace nw::web {

inline constexpr char kSessionCookie[] = "nw_session";
// The header every changing request must carry (a cross-site form cannot
// send it, and a cross-site script would need a CORS preflight we refuse).
inline constexpr char kCsrfHeader[] = "x-newswatch";

// The credential a request carries: the bearer token of its Authorization
// header (curl, scripts), or else the session id of its cookie (the browser:
// an EventSource cannot send headers). nullopt when neither is there; a
// header that is not "Bearer ..." gives an empty bearer token (refused).
struct RequestCredential {
  enum class Kind { kBearer, kSession };
  Kind kind;
  std::string value;
};
std::optional<RequestCredential> CredentialOf(const Request& request);

// The caller: auth::Principal::Unrestricted() when `authenticator` is null
// (no token file); otherwise the principal of the header's bearer token, or
// of the token behind the cookie's session in `sessions`, in the token file
// in force. Unauthenticated, saying how to log in, when there is no
// credential, the session is not running (logged out, expired) or the
// token is not (or no longer) in the token file.
absl::StatusOr<auth::Principal> Authenticate(
    const Request& request, const auth::Authenticator* authenticator,
    SessionTable& sessions);

// What an alert stream opened by an admitted request keeps as its
// credential (alerts::AlertStreamOptions::credential): "Bearer <token>" for
// a header, a session marker with the token's SHA-256 for a session; empty
// when there is neither. IdentifyStreamCredential reads either.
std::string StreamCredentialOf(const Request& request, SessionTable& sessions);
absl::StatusOr<auth::Principal> IdentifyStreamCredential(
    const auth::Authenticator& authenticator, absl::string_view credential);

// OK for GET and HEAD. A changing method (POST, PUT, DELETE, ...) needs the
// header "X-Newswatch: 1", and an Origin header, when sent, equal to
// "http://<Host>": PermissionDenied saying which is missing otherwise.
absl::Status CheckCsrf(const Request& request);

// OK when the Host header is one of `allowed` ("127.0.0.1:7380", ...):
// a page on another site that re-points its own name at 127.0.0.1 (DNS
// rebinding) then cannot read the console. Empty `allowed`: any host.
absl::Status CheckHost(const Request& request,
                       const std::vector<std::string>& allowed);

// Set-Cookie values: the session `session_id`, and one that clears it.
std::string SessionCookie(absl::string_view session_id);
std::string ClearedSessionCookie();

}  // namespace nw::web

#endif  // NW_SERVER_WEB_WEB_AUTH_H_
