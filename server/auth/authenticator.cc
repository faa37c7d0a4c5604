#include "server/auth/authenticator.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "server/auth/policy.h"

namespace nw::auth {

absl::StatusOr<const Principal*> Authenticator::Find(
    std::optional<absl::string_view> authorization) const {
  if (!authorization) {
    return absl::UnauthenticatedError(
        "missing bearer token: pass --token or set NEWSWATCH_TOKEN (gRPC metadata "
        "'authorization: Bearer <token>')");
  }
  absl::string_view token = absl::StripAsciiWhitespace(*authorization);
  // RFC 6750: the scheme is case-insensitive.
  if (!absl::StartsWithIgnoreCase(token, "bearer ")) {
    return absl::UnauthenticatedError(
        "the authorization metadata must be 'Bearer <token>'");
  }
  token = absl::StripLeadingAsciiWhitespace(token.substr(7));
  const Principal* principal = tokens_.Find(token);
  if (principal == nullptr) {
    return absl::UnauthenticatedError(
        "unknown bearer token: it is not in newswatchd's token file (make one with "
        "'newswatch token new')");
  }
  return principal;
}

absl::Status Authenticator::CheckCall(absl::string_view method,
                                      std::optional<absl::string_view> authorization) const {
  if (IsPublicMethod(method)) return absl::OkStatus();
  absl::StatusOr<const Principal*> principal = Find(authorization);
  if (!principal.ok()) return principal.status();
  return CheckMethod(**principal, method);
}

absl::StatusOr<Principal> Authenticator::Identify(
    std::optional<absl::string_view> authorization) const {
  absl::StatusOr<const Principal*> principal = Find(authorization);
  if (!principal.ok()) return principal.status();
  return **principal;
}

}  // namespace nw::auth
