#include "server/web/web_auth.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace nw::web {

std::optional<RequestCredential> CredentialOf(const Request& request) {
  using Kind = RequestCredential::Kind;
  if (std::optional<absl::string_view> h = request.Header("authorization")) {
    absl::string_view v = absl::StripAsciiWhitespace(*h);
    if (absl::ConsumePrefix(&v, "Bearer ") ||
        absl::ConsumePrefix(&v, "bearer "))
      return RequestCredential{Kind::kBearer,
                               std::string(absl::StripAsciiWhitespace(v))};
    // Present but not a bearer token: refused, not ignored.
    return RequestCredential{Kind::kBearer, ""};
  }
  if (std::optional<absl::string_view> cookies = request.Header("cookie")) {
    for (absl::string_view c : absl::StrSplit(*cookies, ';')) {
      c = absl::StripAsciiWhitespace(c);
      if (absl::ConsumePrefix(&c, kSessionCookie) &&
          absl::ConsumePrefix(&c, "="))
        return RequestCredential{Kind::kSession, std::string(c)};
    }
  }
  return std::nullopt;
}

namespace {

// Marks a stream credential that names a session's token by its hash; no
// client can present it (the gRPC path keeps the "Bearer" header value).
constexpr absl::string_view kSessionCredential = "console-session sha256:";

constexpr absl::string_view kLogIn =
    "log in: POST /api/v1/session with {\"token\": ...} or send "
    "Authorization: Bearer <token>";

}  // namespace

absl::StatusOr<auth::Principal> Authenticate(
    const Request& request, const auth::Authenticator* authenticator,
    SessionTable& sessions) {
  if (authenticator == nullptr) return auth::Principal::Unrestricted();
  std::optional<RequestCredential> credential = CredentialOf(request);
  if (!credential) return absl::UnauthenticatedError(kLogIn);
  if (credential->kind == RequestCredential::Kind::kBearer)
    return authenticator->Identify(absl::StrCat("Bearer ", credential->value));
  std::optional<std::string> token_sha256 = sessions.Resolve(credential->value);
  if (!token_sha256) {
    return absl::UnauthenticatedError(
        "this console session has ended (logged out or expired): log in "
        "again with POST /api/v1/session");
  }
  return authenticator->IdentifyTokenHash(*token_sha256);
}

std::string StreamCredentialOf(const Request& request, SessionTable& sessions) {
  std::optional<RequestCredential> credential = CredentialOf(request);
  if (!credential) return "";
  if (credential->kind == RequestCredential::Kind::kBearer)
    return absl::StrCat("Bearer ", credential->value);
  std::optional<std::string> token_sha256 = sessions.Resolve(credential->value);
  return token_sha256 ? absl::StrCat(kSessionCredential, *token_sha256) : "";
}

absl::StatusOr<auth::Principal> IdentifyStreamCredential(
    const auth::Authenticator& authenticator, absl::string_view credential) {
  if (absl::ConsumePrefix(&credential, kSessionCredential))
    return authenticator.IdentifyTokenHash(credential);
  return authenticator.Identify(credential);
}

absl::Status CheckCsrf(const Request& request) {
  if (request.method == "GET" || request.method == "HEAD")
    return absl::OkStatus();
  std::optional<absl::string_view> marker = request.Header(kCsrfHeader);
  if (!marker || *marker != "1") {
    return absl::PermissionDeniedError(
        "a request that changes something needs the header X-Newswatch: 1 "
        "(cross-site request protection)");
  }
  if (std::optional<absl::string_view> origin = request.Header("origin")) {
    const std::string want =
        absl::StrCat("http://", request.Header("host").value_or(""));
    if (*origin != want) {
      return absl::PermissionDeniedError(absl::StrCat(
          "Origin '", *origin, "' is not this console (", want, ")"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckHost(const Request& request,
                       const std::vector<std::string>& allowed) {
  if (allowed.empty()) return absl::OkStatus();
  const std::string host =
      absl::AsciiStrToLower(request.Header("host").value_or(""));
  if (std::find(allowed.begin(), allowed.end(), host) != allowed.end())
    return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat("Host '", host, "' is not an address of this console; open ",
                   allowed.front()));
}

std::string SessionCookie(absl::string_view session_id) {
  return absl::StrCat(kSessionCookie, "=", session_id,
                      "; Path=/; HttpOnly; SameSite=Strict");
}

std::string ClearedSessionCookie() {
  return absl::StrCat(kSessionCookie,
                      "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
}

}  // namespace nw::web
