// File: server/daemon/server_security.h
//
// Turns the security settings of DaemonConfig (TLS files, token file,
// --insecure) into the credentials newswatchd listens with:
//
//   TLS cert+key   token file   credentials
//   yes            any          TLS (client certs required with a client CA)
//   no             yes          gRPC local credentials: plaintext, loopback
//                               or unix socket only
//   no             no           insecure (loopback unless --insecure)
//
// With a token file, every call passes rpc::TokenAuthProcessor first.
#ifndef NW_SERVER_DAEMON_SERVER_SECURITY_H_
#define NW_SERVER_DAEMON_SERVER_SECURITY_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/security/server_credentials.h"
#include "server/auth/authenticator.h"
#include "server/daemon/daemon_config.h"
#include "server/metrics/registry.h"

namespace nw::daemon {

struct ServerSecurity {
  std::shared_ptr<grpc::ServerCredentials> credentials;
  // Null without a token file (no authentication).
  std::shared_ptr<auth::Authenticator> authenticator;
  // For the start-up log, e.g. "TLS with client certificates, 3 tokens".
  std::string summary;
};

// Reads the PEM and token files and checks the listen policy
// (auth/listen_policy.h). Errors, each naming the flag and file:
//  InvalidArgument: only one of --tls-cert/--tls-key, --tls-client-ca
//    without them, a file that holds no PEM data, a bad token file
//    ("<file>:<line>: ...");
//  NotFound / PermissionDenied: a file cannot be read;
//  FailedPrecondition: the listen address is not allowed (says what to add).
// Calls refused for their token are counted in `registry` (may be null) as
// newswatch_calls_refused_total{code}.
absl::StatusOr<ServerSecurity> BuildServerSecurity(
    const DaemonConfig& config, metrics::Registry* registry = nullptr);

}  // namespace nw::daemon

#endif  // NW_SERVER_DAEMON_SERVER_SECURITY_H_
