#include "tests/testutil/test_certs.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace nw::testing {
namespace {

// Runs `command` in `dir` with its output in dir/openssl.log.
absl::Status Run(const std::string& dir, const std::string& command) {
  const std::string log = dir + "/openssl.log";
  const std::string full =
      absl::StrCat("cd '", dir, "' && ", command, " >>'", log, "' 2>&1");
  if (std::system(full.c_str()) == 0) return absl::OkStatus();
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  return absl::InternalError(
      absl::StrCat("failed: ", command, "\n", text.str()));
}

// EC P-256 keys: fast to make, accepted by gRPC's TLS.
constexpr char kNewKey[] =
    "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";

absl::Status MakeCa(const std::string& dir, const std::string& name) {
  return Run(dir,
             absl::StrCat("openssl req -x509 ", kNewKey, " -keyout ", name,
                          ".key -out ", name, ".pem -days 2 -subj /CN=", name,
                          " -addext basicConstraints=critical,CA:TRUE"
                          " -addext keyUsage=critical,keyCertSign,cRLSign"));
}

absl::Status MakeLeaf(const std::string& dir, const std::string& name,
                      const std::string& cn, const std::string& extensions) {
  std::ofstream(absl::StrCat(dir, "/", name, ".ext")) << extensions;
  if (absl::Status s =
          Run(dir, absl::StrCat("openssl req ", kNewKey, " -keyout ", name,
                                ".key -out ", name, ".csr -subj /CN=", cn));
      !s.ok()) {
    return s;
  }
  return Run(dir, absl::StrCat("openssl x509 -req -in ", name,
                               ".csr -CA ca.pem -CAkey ca.key",
                               " -CAcreateserial -days 2 -out ", name,
                               ".pem -extfile ", name, ".ext"));
}

}  // namespace

absl::StatusOr<TestCerts> MakeTestCerts(const std::string& dir) {
  for (absl::Status s : {
           MakeCa(dir, "ca"),
           MakeCa(dir, "other-ca"),
           MakeLeaf(dir, "server", "localhost",
                    "subjectAltName=IP:127.0.0.1,DNS:"
                    "localhost\nextendedKeyUsage=serverAuth\n"),
           MakeLeaf(dir, "client", "newswatch-test-client",
                    "extendedKeyUsage=clientAuth\n"),
       }) {
    if (!s.ok()) return s;
  }
  return TestCerts{.ca = dir + "/ca.pem",
                   .server_cert = dir + "/server.pem",
                   .server_key = dir + "/server.key",
                   .client_cert = dir + "/client.pem",
                   .client_key = dir + "/client.key",
                   .other_ca = dir + "/other-ca.pem"};
}

}  // namespace nw::testing
