// File: tests/testutil/test_certs.h
//
// TLS material made at test time with the `openssl` command: a CA, a server
// certificate it signed for 127.0.0.1 and localhost, a client certificate it
// signed, and a second CA that signed nothing the daemon trusts.
#ifndef NW_TESTS_TESTUTIL_TEST_CERTS_H_
#define NW_TESTS_TESTUTIL_TEST_CERTS_H_

#include <string>

#include "absl/status/statusor.h"

namespace nw::testing {

struct TestCerts {
  std::string ca;           // PEM paths under the folder given to MakeTestCerts
  std::string server_cert;  // SAN: IP 127.0.0.1, DNS localhost
  std::string server_key;
  std::string client_cert;  // CN newswatch-test-client, clientAuth
  std::string client_key;
  std::string other_ca;  // trusted by no one: for "wrong CA" tests
};

// Writes the files into `dir` (which must exist). Internal error with the
// openssl output when a command fails.
absl::StatusOr<TestCerts> MakeTestCerts(const std::string& dir);

}  // namespace nw::testing

#endif  // NW_TESTS_TESTUTIL_TEST_CERTS_H_
