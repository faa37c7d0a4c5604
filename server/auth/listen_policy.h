// File: server/auth/listen_policy.h
//
// Where newswatchd may listen given its security settings. Without a token
// file anyone who can connect may do anything, so the daemon stays on
// loopback unless the operator says --insecure; bearer tokens without TLS
// would cross the network in clear text, so they are kept to loopback too.
#ifndef NW_SERVER_AUTH_LISTEN_POLICY_H_
#define NW_SERVER_AUTH_LISTEN_POLICY_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace nw::auth {

enum class ListenScope {
  kLocalhost,      // 127.0.0.1, [::1] or localhost
  kOtherLoopback,  // 127.0.0.0/8 other than 127.0.0.1
  kUnixSocket,     // unix:PATH or unix-abstract:NAME
  kNetwork,        // anything else, including 0.0.0.0, [::] and an empty host
};

// Classifies a gRPC listen address ("host:port", "[v6]:port", "unix:path").
ListenScope ClassifyListen(absl::string_view listen);

struct ListenSecurity {
  bool tls = false;       // --tls-cert and --tls-key given
  bool tokens = false;    // --token-file given
  bool insecure = false;  // --insecure
};

// OK when the daemon may listen on `listen` with `security`. Otherwise
// FailedPrecondition saying which flags to add:
//  * a network address needs TLS and a token file, unless --insecure;
//  * a token file without TLS needs 127.0.0.1, [::1], localhost or a unix
//    socket (even with --insecure).
absl::Status CheckListenPolicy(absl::string_view listen,
                               const ListenSecurity& security);

}  // namespace nw::auth

#endif  // NW_SERVER_AUTH_LISTEN_POLICY_H_
