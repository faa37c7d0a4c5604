#include "client/lib/connect_error.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace nw::client {
namespace {

// gRPC's "last error" detail: what follows the "ipv4:1.2.3.4:5: " address.
absl::string_view LastError(absl::string_view message) {
  const size_t last = message.find("last error: ");
  if (last == absl::string_view::npos) return message;
  absl::string_view rest = message.substr(last + 12);
  for (absl::string_view scheme : {"ipv4:", "ipv6:", "unix:"}) {
    const size_t at = rest.find(scheme);
    if (at == absl::string_view::npos) continue;
    // The address ends at the first ": " after the scheme (ipv6 addresses
    // hold ':' but no ": ").
    const size_t end = rest.find(": ", at);
    if (end != absl::string_view::npos) return rest.substr(end + 2);
  }
  return rest;
}

std::string CaName(const ChannelSecurity& security) {
  return security.tls_ca_file.empty()
             ? std::string("the system's CA roots (--tls)")
             : absl::StrCat("--tls-ca ", security.tls_ca_file);
}

}  // namespace

ConnectDiagnosis DiagnoseConnectError(const absl::Status& status,
                                      absl::string_view server,
                                      const ChannelSecurity& security) {
  const absl::string_view message = status.message();
  if (status.code() != absl::StatusCode::kUnavailable ||
      !absl::StrContains(message, "failed to connect to all addresses")) {
    return {};
  }
  const absl::string_view detail = LastError(message);
  const std::string lower = absl::AsciiStrToLower(detail);
  const auto has = [&](absl::string_view s) {
    return absl::StrContains(lower, absl::AsciiStrToLower(s));
  };
  if (has("Connection refused")) {
    return {ConnectProblem::kNothingListening,
            absl::StrCat("nothing is listening on ", server,
                         " (is newswatchd running there?)")};
  }
  if (security.tls()) {
    if (has("wrong version number") || has("packet length too long") ||
        has("record layer failure")) {
      return {ConnectProblem::kServerIsPlaintext,
              absl::StrCat(server,
                           " does not speak TLS: that newswatchd serves "
                           "plaintext (drop --tls/--tls-ca, or start it with "
                           "--tls-cert and --tls-key)")};
    }
    if (has("certificate verify failed")) {
      return {ConnectProblem::kUntrustedCert,
              absl::StrCat("the TLS certificate of ", server,
                           " is not signed by ", CaName(security),
                           " (or has expired): pass the CA that signed "
                           "newswatchd's --tls-cert")};
    }
    if (has("is not in peer certificate")) {
      return {ConnectProblem::kWrongName,
              absl::StrCat("the TLS certificate of ", server,
                           " does not name that host (its subjectAltName): "
                           "dial a name the certificate lists, or make the "
                           "certificate for this one")};
    }
    // With TLS 1.3 a daemon that rejects the client's certificate (or its
    // absence) just closes the connection.
    if (has("Socket closed") || has("certificate required") ||
        has("handshake failure")) {
      return {ConnectProblem::kClientCertRequired,
              security.tls_cert_file.empty()
                  ? absl::StrCat(server,
                                 " closed the connection during the TLS "
                                 "handshake: it probably requires a client "
                                 "certificate (--tls-cert and --tls-key)")
                  : absl::StrCat(server,
                                 " closed the connection during the TLS "
                                 "handshake: it probably does not accept the "
                                 "client certificate ",
                                 security.tls_cert_file,
                                 " (not signed by its --tls-client-ca?)")};
    }
  } else if (has("Socket closed") || has("Connection reset")) {
    return {
        ConnectProblem::kServerWantsTls,
        absl::StrCat(server,
                     " closed the connection at once: that newswatchd "
                     "probably serves TLS (add --tls-ca CA.pem, or --tls)")};
  }
  return {ConnectProblem::kOther,
          absl::StrCat("cannot connect to ", server, ": ", detail)};
}

absl::Status ExplainConnectError(const absl::Status& status,
                                 absl::string_view server,
                                 const ChannelSecurity& security) {
  const ConnectDiagnosis diagnosis =
      DiagnoseConnectError(status, server, security);
  if (diagnosis.problem == ConnectProblem::kNone) return status;
  return absl::Status(status.code(), diagnosis.message);
}

}  // namespace nw::client
