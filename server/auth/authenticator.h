// File: server/auth/authenticator.h
//
// Authenticator: the per-call gate of newswatchd when it runs with a token
// file. server/rpc/auth_processor runs CheckCall once per call, before any
// service code (a grpc::AuthMetadataProcessor); the services then ask
// Identify() who the (already admitted) caller is, to apply subscriber
// ownership.
//
// Thread safety: all methods may be called concurrently. ReplaceTokens swaps
// the token table atomically: a call is checked against one table, old or new.
#ifndef NW_SERVER_AUTH_AUTHENTICATOR_H_
#define NW_SERVER_AUTH_AUTHENTICATOR_H_

#include <memory>
#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "server/auth/principal.h"
#include "server/auth/token_table.h"

namespace nw::auth {

class Authenticator {
 public:
  explicit Authenticator(TokenTable tokens)
      : tokens_(std::make_shared<const TokenTable>(std::move(tokens))) {}

  // From now on calls are checked against `tokens` (a re-read token file):
  // added tokens work and removed ones are refused, without a restart.
  void ReplaceTokens(TokenTable tokens);

  // Admits or refuses a call to `method` (the HTTP/2 path) that carried the
  // `authorization` header value (nullopt: none). OK for public methods
  // (health) whatever the header. Unauthenticated when the header is
  // missing, not "Bearer <token>", or the token is not in the token file;
  // PermissionDenied when the token's role may not call `method`
  // (policy.h).
  absl::Status CheckCall(absl::string_view method,
                         std::optional<absl::string_view> authorization) const;

  // The principal of a call's `authorization` header; Unauthenticated as in
  // CheckCall when there is none or it is unknown.
  absl::StatusOr<Principal> Identify(
      std::optional<absl::string_view> authorization) const;

  // The principal of the token whose SHA-256 (lowercase hex) is
  // `token_sha256` (a console session's, server/web/session_table.h);
  // Unauthenticated when the token file in force no longer lists it. Never
  // reachable from a header: a hash is not a credential a client can send.
  absl::StatusOr<Principal> IdentifyTokenHash(
      absl::string_view token_sha256) const;

  size_t token_count() const { return Tokens()->size(); }

 private:
  std::shared_ptr<const TokenTable> Tokens() const;
  absl::StatusOr<Principal> Find(
      std::optional<absl::string_view> authorization) const;

  mutable absl::Mutex mu_;  // guards only the pointer
  std::shared_ptr<const TokenTable> tokens_ ABSL_GUARDED_BY(mu_);
};

}  // namespace nw::auth

#endif  // NW_SERVER_AUTH_AUTHENTICATOR_H_
