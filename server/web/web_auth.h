// File: server/web/web_auth.h
//
// Who is calling the web console, and whether a request may change anything.
// The token travels as "Authorization: Bearer" (curl, scripts) or in the
// HttpOnly session cookie set by POST /api/v1/session (the browser: an
// EventSource cannot send headers); never in a URL. Every request is checked
// against the token file in force (auth::Authenticator), so SIGHUP
// revocation applies at once. Pure functions.
#ifndef NW_SERVER_WEB_WEB_AUTH_H_
#define NW_SERVER_WEB_WEB_AUTH_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "server/auth/authenticator.h"
#include "server/auth/principal.h"
#include "server/web/http_types.h"

namespace nw::web {

inline constexpr char kSessionCookie[] = "nw_session";
// The header every changing request must carry (a cross-site form cannot
// send it, and a cross-site script would need a CORS preflight we refuse).
inline constexpr char kCsrfHeader[] = "x-newswatch";

// The bearer token of the request: the Authorization header wins over the
// session cookie; nullopt when neither is there.
std::optional<std::string> RequestToken(const Request& request);

// The caller: auth::Principal::Unrestricted() when `authenticator` is null
// (no token file); otherwise Unauthenticated (no token, or one not in the
// token file).
absl::StatusOr<auth::Principal> Authenticate(
    const Request& request, const auth::Authenticator* authenticator);

// OK for GET and HEAD. A changing method (POST, PUT, DELETE, ...) needs the
// header "X-Newswatch: 1", and an Origin header, when sent, equal to
// "http://<Host>": PermissionDenied saying which is missing otherwise.
absl::Status CheckCsrf(const Request& request);

// OK when the Host header is one of `allowed` ("127.0.0.1:7380", ...):
// a page on another site that re-points its own name at 127.0.0.1 (DNS
// rebinding) then cannot read the console. Empty `allowed`: any host.
absl::Status CheckHost(const Request& request,
                       const std::vector<std::string>& allowed);

// Set-Cookie values: the session holding `token`, and one that clears it.
std::string SessionCookie(absl::string_view token);
std::string ClearedSessionCookie();

}  // namespace nw::web

#endif  // NW_SERVER_WEB_WEB_AUTH_H_
