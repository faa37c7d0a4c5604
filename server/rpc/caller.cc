#include "server/rpc/caller.h"

#include <optional>

namespace nw::rpc {

std::optional<absl::string_view> AuthorizationOf(
    const grpc::ServerContextBase& context) {
  const auto& md = context.client_metadata();
  auto it = md.find("authorization");
  if (it == md.end()) return std::nullopt;
  return absl::string_view(it->second.data(), it->second.size());
}

absl::StatusOr<auth::Principal> CallerOf(
    const auth::Authenticator* authenticator,
    const grpc::ServerContextBase& context) {
  if (authenticator == nullptr) return auth::Principal::Unrestricted();
  return authenticator->Identify(AuthorizationOf(context));
}

}  // namespace nw::rpc
