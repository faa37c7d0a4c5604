// File: server/auth/principal.h
//
// Who is calling: the role and (for analysts) the subscriber of a bearer
// token, plus the token's name for messages and logs.
#ifndef NW_SERVER_AUTH_PRINCIPAL_H_
#define NW_SERVER_AUTH_PRINCIPAL_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace nw::auth {

enum class Role {
  kIngest,   // submits articles, nothing else
  kAnalyst,  // one subscriber's rules and alerts, and the articles they cite
  kAdmin,    // everything
};

// "ingest", "analyst", "admin".
absl::string_view RoleName(Role role);
// The role named `name` (exactly as RoleName spells it), or nullopt.
std::optional<Role> ParseRole(absl::string_view name);

struct Principal {
  std::string name;  // from the token file, e.g. "alice"
  Role role = Role::kAdmin;
  std::string subscriber;  // analysts only: whose rules and alerts

  // The caller when the daemon runs without a token file: may do anything.
  static Principal Unrestricted() {
    return {.name = "local", .role = Role::kAdmin, .subscriber = ""};
  }

  // True when this principal may read or change `subscriber`'s rules and
  // alerts: admins any, analysts only their own, ingest none.
  bool Owns(absl::string_view subscriber) const;

  // "token 'alice' (analyst of subscriber desk-asia)", for messages.
  std::string Describe() const;
};

}  // namespace nw::auth

#endif  // NW_SERVER_AUTH_PRINCIPAL_H_
