// File: server/auth/token_table.h
//
// The token file of newswatchd (format and example:
// deploy/newswatch.tokens.example). One token per line:
//
//   sha256:<64 hex digits>  <role>  name=<name>  [subscriber=<subscriber>]
//
// where <role> is ingest, analyst or admin; analysts need subscriber=, the
// others must not have it. Blank lines and lines starting with '#' are
// ignored. The file holds only hashes (see token_hash.h).
//
// Thread safety: a TokenTable is immutable after Parse/Load; Find may be
// called from any thread.
#ifndef NW_SERVER_AUTH_TOKEN_TABLE_H_
#define NW_SERVER_AUTH_TOKEN_TABLE_H_

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/auth/principal.h"

namespace nw::auth {

class TokenTable {
 public:
  // Parses the contents of a token file; `file_name` only labels errors.
  // InvalidArgument "<file_name>:<line>: <what is wrong>" for a syntax
  // error, an unknown role or key, an analyst without subscriber, a
  // subscriber on another role, a bad name or a hash listed twice;
  // InvalidArgument "<file_name>: no tokens" when the file lists none.
  static absl::StatusOr<TokenTable> Parse(absl::string_view text,
                                          absl::string_view file_name);

  // Reads and parses `path`. NotFound / PermissionDenied / Internal naming
  // the file when it cannot be read; otherwise as Parse.
  static absl::StatusOr<TokenTable> Load(const std::string& path);

  // The principal of a presented bearer token, or nullptr if no line of the
  // file has its hash.
  const Principal* Find(absl::string_view token) const;
  // The principal of the token whose SHA-256 (lowercase hex) is
  // `sha256_hex`, or nullptr.
  const Principal* FindByHash(absl::string_view sha256_hex) const;

  size_t size() const { return by_hash_.size(); }

  // OK when `principal` can be written to a token file: a valid name, and a
  // subscriber (without white space) exactly when the role is analyst.
  // InvalidArgument saying what is wrong otherwise.
  static absl::Status CheckPrincipal(const Principal& principal);

  // The token-file line for a token whose SHA-256 is `sha256_hex`.
  static std::string FormatLine(absl::string_view sha256_hex,
                                const Principal& principal);

 private:
  absl::flat_hash_map<std::string, Principal> by_hash_;  // key: lowercase hex
};

}  // namespace nw::auth

#endif  // NW_SERVER_AUTH_TOKEN_TABLE_H_
