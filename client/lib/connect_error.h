// File: client/lib/connect_error.h
//
// Says why a connection to newswatchd failed, from gRPC's transport error
// ("failed to connect to all addresses; last error: UNKNOWN: ipv4:...:
// Ssl handshake failed: ... wrong version number"), in the terms of the
// client's flags: nothing listening, a TLS/plaintext mismatch either way, a
// certificate not signed by --tls-ca, a certificate that does not name the
// host dialled, a client certificate required. The phrases matched are those
// of gRPC 1.51 with OpenSSL 3 (Debian 12); anything else keeps gRPC's text.
//
// Thread safety: pure functions.
#ifndef NW_CLIENT_LIB_CONNECT_ERROR_H_
#define NW_CLIENT_LIB_CONNECT_ERROR_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "client/lib/channel.h"

namespace nw::client {

enum class ConnectProblem {
  kNone,                // not a connection failure (or not recognised)
  kNothingListening,    // connection refused
  kServerIsPlaintext,   // TLS client, plaintext daemon
  kServerWantsTls,      // plaintext client, the daemon closed at once
  kUntrustedCert,       // the daemon's certificate is not signed by the CA
  kWrongName,           // the certificate does not name the host dialled
  kClientCertRequired,  // mTLS daemon: no client certificate, or not one
                        // it accepts
  kOther,               // a transport failure of another kind
};

struct ConnectDiagnosis {
  ConnectProblem problem = ConnectProblem::kNone;
  // One line, e.g. "nothing is listening on 127.0.0.1:7373 (is newswatchd
  // running there?)"; empty for kNone.
  std::string message;
  // A mismatch of settings that no retry can fix (every kind but
  // kNothingListening, kOther and kNone).
  bool settings_problem() const {
    return problem != ConnectProblem::kNone &&
           problem != ConnectProblem::kNothingListening &&
           problem != ConnectProblem::kOther;
  }
};

// `status` is the failed call's; `server` and `security` what was dialled.
ConnectDiagnosis DiagnoseConnectError(const absl::Status& status,
                                      absl::string_view server,
                                      const ChannelSecurity& security);

// `status` with its message replaced by the diagnosis when it is a
// connection failure (same code); unchanged otherwise.
absl::Status ExplainConnectError(const absl::Status& status,
                                 absl::string_view server,
                                 const ChannelSecurity& security);

}  // namespace nw::client

#endif  // NW_CLIENT_LIB_CONNECT_ERROR_H_
