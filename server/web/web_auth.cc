#include "server/web/web_auth.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace nw::web {

std::optional<std::string> RequestToken(const Request& request) {
  if (std::optional<absl::string_view> h = request.Header("authorization")) {
    absl::string_view v = absl::StripAsciiWhitespace(*h);
    if (absl::ConsumePrefix(&v, "Bearer ") ||
        absl::ConsumePrefix(&v, "bearer "))
      return std::string(absl::StripAsciiWhitespace(v));
    return std::string();  // present but not a bearer token: refused
  }
  if (std::optional<absl::string_view> cookies = request.Header("cookie")) {
    for (absl::string_view c : absl::StrSplit(*cookies, ';')) {
      c = absl::StripAsciiWhitespace(c);
      if (absl::ConsumePrefix(&c, kSessionCookie) &&
          absl::ConsumePrefix(&c, "="))
        return std::string(c);
    }
  }
  return std::nullopt;
}

absl::StatusOr<auth::Principal> Authenticate(
    const Request& request, const auth::Authenticator* authenticator) {
  if (authenticator == nullptr) return auth::Principal::Unrestricted();
  std::optional<std::string> token = RequestToken(request);
  if (!token) {
    return absl::UnauthenticatedError(
        "log in: POST /api/v1/session with {\"token\": ...} or send "
        "Authorization: Bearer <token>");
  }
  const std::string header = absl::StrCat("Bearer ", *token);
  return authenticator->Identify(header);
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

std::string SessionCookie(absl::string_view token) {
  return absl::StrCat(kSessionCookie, "=", token,
                      "; Path=/; HttpOnly; SameSite=Strict");
}

std::string ClearedSessionCookie() {
  return absl::StrCat(kSessionCookie,
                      "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
}

}  // namespace nw::web
