#include "server/auth/principal.h"

#include "absl/strings/str_cat.h"

namespace nw::auth {

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kIngest:
      return "ingest";
    case Role::kAnalyst:
      return "analyst";
    case Role::kAdmin:
      return "admin";
  }
  return "unknown";
}

std::optional<Role> ParseRole(absl::string_view name) {
  for (Role role : {Role::kIngest, Role::kAnalyst, Role::kAdmin}) {
    if (RoleName(role) == name) return role;
  }
  return std::nullopt;
}

bool Principal::Owns(absl::string_view s) const {
  switch (role) {
    case Role::kAdmin:
      return true;
    case Role::kAnalyst:
      return subscriber == s;
    case Role::kIngest:
      return false;
  }
  return false;
}

std::string Principal::Describe() const {
  if (role == Role::kAnalyst) {
    return absl::StrCat("token '", name, "' (analyst of subscriber ",
                        subscriber, ")");
  }
  return absl::StrCat("token '", name, "' (role ", RoleName(role), ")");
}

}  // namespace nw::auth
