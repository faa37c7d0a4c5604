#include "client/lib/connect_error.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nw::client {
namespace {

using ::testing::HasSubstr;

// gRPC 1.51's messages, as seen against newswatchd (Debian 12, OpenSSL 3).
absl::Status Transport(const std::string& last_error) {
  return absl::UnavailableError(
      "failed to connect to all addresses; last error: UNKNOWN: "
      "ipv4:127.0.0.1:7373: " +
      last_error);
}

TEST(ConnectErrorTest, EachKnownFailureIsNamed) {
  ChannelSecurity plain;
  ChannelSecurity tls{.tls_ca_file = "ca.pem"};
  struct Case {
    absl::Status status;
    const ChannelSecurity& security;
    ConnectProblem problem;
    const char* says;
  };
  const Case cases[] = {
      {Transport("Failed to connect to remote host: Connection refused"), plain,
       ConnectProblem::kNothingListening,
       "nothing is listening on 127.0.0.1:7373"},
      {Transport("Ssl handshake failed: SSL_ERROR_SSL: error:0A00010B:SSL "
                 "routines::wrong version number"),
       tls, ConnectProblem::kServerIsPlaintext, "does not speak TLS"},
      {Transport("Ssl handshake failed: SSL_ERROR_SSL: error:0A000086:SSL "
                 "routines::certificate verify failed"),
       tls, ConnectProblem::kUntrustedCert, "not signed by --tls-ca ca.pem"},
      {Transport("Peer name wrong.example is not in peer certificate"), tls,
       ConnectProblem::kWrongName, "does not name that host"},
      {Transport("Socket closed"), tls, ConnectProblem::kClientCertRequired,
       "requires a client certificate"},
      {Transport("Socket closed"), plain, ConnectProblem::kServerWantsTls,
       "probably serves TLS"},
      {Transport("something new"), plain, ConnectProblem::kOther,
       "cannot connect to 127.0.0.1:7373: something new"},
  };
  for (const Case& c : cases) {
    const ConnectDiagnosis d =
        DiagnoseConnectError(c.status, "127.0.0.1:7373", c.security);
    EXPECT_EQ(d.problem, c.problem) << c.status;
    EXPECT_THAT(d.message, HasSubstr(c.says)) << c.status;
  }
}

TEST(ConnectErrorTest, OtherErrorsAreLeftAlone) {
  const absl::Status denied = absl::PermissionDeniedError("no");
  EXPECT_EQ(DiagnoseConnectError(denied, "h:1", {}).problem,
            ConnectProblem::kNone);
  EXPECT_EQ(ExplainConnectError(denied, "h:1", {}), denied);
  EXPECT_EQ(
      ExplainConnectError(absl::UnavailableError("Socket closed"), "h:1", {})
          .message(),
      "Socket closed");  // a stream that broke, not a connect failure
}

}  // namespace
}  // namespace nw::client
