#include "tests/e2e/auth_fixture.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "server/auth/principal.h"
#include "server/auth/token_hash.h"
#include "server/auth/token_table.h"
#include "tests/testutil/status_matchers.h"

namespace nw::testing {

TempDir* AuthFixture::dir_ = nullptr;
TestCerts AuthFixture::certs_;
RoleTokens AuthFixture::tokens_;
std::string AuthFixture::token_file_;

ExitResult RunToExit(const std::vector<std::string>& argv,
                     const std::vector<std::string>& env) {
  TempDir out_dir;
  const std::string out_path = out_dir.path() + "/out";
  const pid_t pid = fork();
  if (pid == 0) {
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(out, STDOUT_FILENO);
    dup2(out, STDERR_FILENO);
    for (const std::string& e : env) putenv(strdup(e.c_str()));
    std::vector<char*> raw;
    for (const std::string& a : argv)
      raw.push_back(const_cast<char*>(a.c_str()));
    raw.push_back(nullptr);
    execv(raw[0], raw.data());
    _exit(127);
  }
  ExitResult result;
  int status = 0;
  // A bound, not a timing assertion: a refused start exits at once.
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid, &status, WNOHANG) == pid) {
      result.exited = true;
      result.code =
          WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (!result.exited) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  std::ifstream in(out_path);
  std::stringstream text;
  text << in.rdbuf();
  result.output = text.str();
  return result;
}

void AuthFixture::SetUpTestSuite() {
  dir_ = new TempDir();
  absl::StatusOr<TestCerts> certs = MakeTestCerts(dir_->path());
  ASSERT_THAT(certs, IsOk());
  certs_ = *certs;
  const auth::Principal principals[] = {
      {.name = "feed", .role = auth::Role::kIngest, .subscriber = ""},
      {.name = "alice",
       .role = auth::Role::kAnalyst,
       .subscriber = "desk-asia"},
      {.name = "bob",
       .role = auth::Role::kAnalyst,
       .subscriber = "desk-energy"},
      {.name = "ops", .role = auth::Role::kAdmin, .subscriber = ""},
  };
  std::string* slots[] = {&tokens_.ingest, &tokens_.alice, &tokens_.bob,
                          &tokens_.admin};
  std::string file = "# test tokens\n";
  for (int i = 0; i < 4; ++i) {
    absl::StatusOr<std::string> token = auth::NewToken();
    ASSERT_THAT(token, IsOk());
    *slots[i] = *token;
    absl::StrAppend(
        &file,
        auth::TokenTable::FormatLine(auth::Sha256Hex(*token), principals[i]),
        "\n");
  }
  token_file_ = dir_->path() + "/tokens";
  std::ofstream(token_file_) << file;
}

void AuthFixture::TearDownTestSuite() {
  delete dir_;
  dir_ = nullptr;
}

void AuthFixture::StartDaemon(bool tls, bool mtls,
                              const std::vector<std::string>& extra) {
  std::vector<std::string> flags = {"--token-file=" + token_file_,
                                    "--heartbeat-interval=200ms"};
  if (tls) {
    flags.push_back("--tls-cert=" + certs_.server_cert);
    flags.push_back("--tls-key=" + certs_.server_key);
  }
  if (mtls) flags.push_back("--tls-client-ca=" + certs_.ca);
  flags.insert(flags.end(), extra.begin(), extra.end());
  absl::StatusOr<std::unique_ptr<DaemonProcess>> d =
      DaemonProcess::Start(DaemonBinary(), data_dir_.path(), flags);
  ASSERT_THAT(d, IsOk());
  daemon_ = *std::move(d);
}

std::shared_ptr<grpc::Channel> AuthFixture::Channel(const std::string& token,
                                                    bool tls,
                                                    bool client_cert) {
  client::ChannelSecurity security;
  security.token = token;
  if (tls) security.tls_ca_file = certs_.ca;
  if (client_cert) {
    security.tls_cert_file = certs_.client_cert;
    security.tls_key_file = certs_.client_key;
  }
  grpc::ChannelArguments args;
  // One connection per channel, so one test's refused handshake cannot be
  // reused by another channel.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      client::NewChannel(daemon_->address(), security, args);
  EXPECT_THAT(channel, IsOk());
  return channel.ok() ? *channel : nullptr;
}

}  // namespace nw::testing
