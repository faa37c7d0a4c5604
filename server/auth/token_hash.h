// File: server/auth/token_hash.h
//
// Bearer tokens are random secrets shown once to the operator; newswatchd
// stores and compares only their SHA-256, so a leaked token file grants
// nothing.
#ifndef NW_SERVER_AUTH_TOKEN_HASH_H_
#define NW_SERVER_AUTH_TOKEN_HASH_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace nw::auth {

// Lowercase hex SHA-256 of `data` (64 characters).
std::string Sha256Hex(absl::string_view data);

// A new secret: `prefix` + 64 hex digits of 32 bytes from OpenSSL's
// RAND_bytes (seeded from the kernel). Internal error if the generator fails.
absl::StatusOr<std::string> NewSecret(absl::string_view prefix);

// A new bearer token: NewSecret("nwt_").
absl::StatusOr<std::string> NewToken();

}  // namespace nw::auth

#endif  // NW_SERVER_AUTH_TOKEN_HASH_H_
