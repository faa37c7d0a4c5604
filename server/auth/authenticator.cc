#include "server/auth/authenticator.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "server/auth/policy.h"
#include "server/base/status_macros.h"

namespace nw::auth {

void Authenticator::ReplaceTokens(TokenTable tokens) {
  auto table = std::make_shared<const TokenTable>(std::move(tokens));
  absl::MutexLock lock(&mu_);
  tokens_ = std::move(table);
}

std::shared_ptr<const TokenTable> Authenticator::Tokens() const {
  absl::MutexLock lock(&mu_);
  return tokens_;
}

absl::StatusOr<Principal> Authenticator::Find(
    std::optional<absl::string_view> authorization) const {
  if (!authorization) {
    return absl::UnauthenticatedError(
        "missing bearer token: pass --token or set NEWSWATCH_TOKEN (gRPC "
        "metadata "
        "'authorization: Bearer <token>')");
  }
  absl::string_view token = absl::StripAsciiWhitespace(*authorization);
  // RFC 6750: the scheme is case-insensitive.
  if (!absl::StartsWithIgnoreCase(token, "bearer ")) {
    return absl::UnauthenticatedError(
        "the authorization metadata must be 'Bearer <token>'");
  }
  token = absl::StripLeadingAsciiWhitespace(token.substr(7));
  const std::shared_ptr<const TokenTable> tokens = Tokens();
  const Principal* principal = tokens->Find(token);
  if (principal == nullptr) {
    return absl::UnauthenticatedError(
        "unknown bearer token: it is not in newswatchd's token file (make one "
        "with "
        "'newswatch token new')");
  }
  return *principal;
}

absl::Status Authenticator::CheckCall(
    absl::string_view method,
    std::optional<absl::string_view> authorization) const {
  if (IsPublicMethod(method)) return absl::OkStatus();
  NW_ASSIGN_OR_RETURN(Principal principal, Find(authorization));
  return CheckMethod(principal, method);
}

absl::StatusOr<Principal> Authenticator::Identify(
    std::optional<absl::string_view> authorization) const {
  return Find(authorization);
}

absl::StatusOr<Principal> Authenticator::IdentifyTokenHash(
    absl::string_view token_sha256) const {
  const std::shared_ptr<const TokenTable> tokens = Tokens();
  const Principal* principal = tokens->FindByHash(token_sha256);
  if (principal == nullptr) {
    return absl::UnauthenticatedError(
        "the token this console session was made from is no longer in "
        "newswatchd's token file: log in again with a current token");
  }
  return *principal;
}

}  // namespace nw::auth
