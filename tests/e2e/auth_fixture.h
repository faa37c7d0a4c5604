// File: tests/e2e/auth_fixture.h
//
// Shared by the auth end-to-end tests: certificates made with openssl, a
// token file with one token per role (two analysts), the daemon started with
// them, and channels that present a token (over TLS or not).
#ifndef NW_TESTS_E2E_AUTH_FIXTURE_H_
#define NW_TESTS_E2E_AUTH_FIXTURE_H_

#include <memory>
#include <string>
#include <vector>

#include "client/lib/channel.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/testutil/daemon_process.h"
#include "tests/testutil/test_certs.h"

namespace nw::testing {

struct RoleTokens {
  std::string ingest;  // name feed
  std::string alice;   // analyst of desk-asia
  std::string bob;     // analyst of desk-energy
  std::string admin;   // name ops
};

// What a process printed and how it ended.
struct ExitResult {
  bool exited = false;  // false: still running after 30 s (then killed)
  int code = -1;
  std::string output;  // stdout and stderr
};

// Runs `argv` (with `env` added to the environment) to its end, at most 30 s.
ExitResult RunToExit(const std::vector<std::string>& argv,
                     const std::vector<std::string>& env = {});

class AuthFixture : public ::testing::Test {
 protected:
  // Certificates, tokens and the token file, once per test suite.
  static void SetUpTestSuite();
  static void TearDownTestSuite();

  // Starts newswatchd on 127.0.0.1 with the token file and, with `tls`, the
  // server certificate (and with `mtls` also --tls-client-ca), plus `extra`.
  void StartDaemon(bool tls, bool mtls = false,
                   const std::vector<std::string>& extra = {});

  // A channel to the daemon presenting `token` (none when empty), over TLS
  // trusting the test CA when `tls`, with the client certificate when
  // `client_cert`.
  std::shared_ptr<grpc::Channel> Channel(const std::string& token,
                                         bool tls = true,
                                         bool client_cert = false);

  static TempDir* dir_;
  static TestCerts certs_;
  static RoleTokens tokens_;
  static std::string token_file_;

  TempDir data_dir_;
  std::unique_ptr<DaemonProcess> daemon_;
};

}  // namespace nw::testing

#endif  // NW_TESTS_E2E_AUTH_FIXTURE_H_
