// File: server/rpc/caller.h
//
// Who made a call, for the subscriber-ownership checks of the services. The
// call was already admitted by TokenAuthProcessor (auth_processor.h); this
// only looks the token up again.
#ifndef NW_SERVER_RPC_CALLER_H_
#define NW_SERVER_RPC_CALLER_H_

#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/server_context.h"
#include "server/auth/authenticator.h"
#include "server/auth/principal.h"

namespace nw::rpc {

// The principal of the call's bearer token; auth::Principal::Unrestricted()
// when `authenticator` is null (the daemon runs without a token file).
// Unauthenticated if the token is missing or unknown (not expected: the
// processor refused such calls already).
absl::StatusOr<auth::Principal> CallerOf(
    const auth::Authenticator* authenticator,
    const grpc::ServerContextBase& context);

// The call's authorization header value; nullopt when it has none.
std::optional<absl::string_view> AuthorizationOf(
    const grpc::ServerContextBase& context);

}  // namespace nw::rpc

#endif  // NW_SERVER_RPC_CALLER_H_
