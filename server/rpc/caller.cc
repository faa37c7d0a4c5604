#include "server/rpc/caller.h"

#include <optional>

namespace nw::rpc {

absl::StatusOr<auth::Principal> CallerOf(
    const auth::Authenticator* authenticator,
    const grpc::ServerContextBase& context) {
  if (authenticator == nullptr) return auth::Principal::Unrestricted();
  const auto& md = context.client_metadata();
  auto it = md.find("authorization");
  std::optional<absl::string_view> value;
  if (it != md.end())
    value = absl::string_view(it->second.data(), it->second.size());
  return authenticator->Identify(value);
}

}  // namespace nw::rpc
