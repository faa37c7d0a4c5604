// End to end with the `newswatch` binary: tokens made by `newswatch token
// new`, then submit, rules add and watch over TLS with a bearer token.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/auth_fixture.h"

namespace nw {
namespace {

using ::testing::HasSubstr;

struct MadeToken {
  std::string token;
  std::string line;  // for the token file
};

// `newswatch token new ARGS`: the token and the token-file line it printed.
MadeToken MakeToken(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {NW_CLI_BINARY, "token", "new"};
  argv.insert(argv.end(), args.begin(), args.end());
  testing::ExitResult r = testing::RunToExit(argv);
  EXPECT_EQ(r.code, 0) << r.output;
  MadeToken made;
  for (absl::string_view line : absl::StrSplit(r.output, '\n')) {
    if (absl::StartsWith(line, "nwt_")) made.token = std::string(line);
    if (absl::StartsWith(line, "sha256:")) made.line = std::string(line);
  }
  EXPECT_FALSE(made.token.empty()) << r.output;
  EXPECT_FALSE(made.line.empty()) << r.output;
  return made;
}

class AuthCliE2eTest : public testing::AuthFixture {
 protected:
  // The CLI's TLS flags for the test CA.
  std::vector<std::string> Cli(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {NW_CLI_BINARY, "--server",
                                     daemon_->address(), "--tls-ca", certs_.ca};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }
};

// Verifies `token new` output loads in the daemon, and the CLI over TLS with
// those tokens: an analyst adds a rule (token from NEWSWATCH_TOKEN) and
// watches (token from --token), both without --subscriber (the token's is
// the default), an ingest token submits, and the watch prints the alert;
// without a token the CLI is refused.
TEST_F(AuthCliE2eTest, SubmitRulesAndWatchOverTlsWithTokens) {
  const MadeToken analyst = MakeToken(
      {"--role", "analyst", "--subscriber", "desk-asia", "--name", "carol"});
  const MadeToken feed = MakeToken({"--role", "ingest", "--name", "wire"});
  EXPECT_THAT(analyst.line,
              HasSubstr(" analyst name=carol subscriber=desk-asia"));
  EXPECT_THAT(analyst.line,
              ::testing::Not(HasSubstr(analyst.token)));  // only the hash
  const std::string tokens = data_dir_.path() + "-cli.tokens";
  std::ofstream(tokens) << analyst.line << "\n" << feed.line << "\n";
  ASSERT_NO_FATAL_FAILURE(
      StartDaemon(/*tls=*/true, false, {"--token-file=" + tokens}));

  // No --subscriber: the analyst token's own.
  testing::ExitResult r = testing::RunToExit(
      Cli({"rules", "add", "pipeline"}), {"NEWSWATCH_TOKEN=" + analyst.token});
  ASSERT_EQ(r.code, 0) << r.output;
  // Without a token: refused, saying how to pass one.
  r = testing::RunToExit(Cli({"rules", "list"}));
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(
      r.output,
      HasSubstr("missing bearer token: pass --token or set NEWSWATCH_TOKEN"));
  // The ingest token may not add rules.
  r = testing::RunToExit(Cli({"--token", feed.token, "rules", "add",
                              "--subscriber", "desk-asia", "gas"}));
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.output, HasSubstr("may not call RuleService/CreateRule"));

  // watch in the background; its stdout goes to a file.
  const std::string watch_out = data_dir_.path() + "-watch.out";
  std::vector<std::string> watch_argv =  // the token's subscriber
      Cli({"watch", "--json", "--token", analyst.token});
  const pid_t watch = fork();
  if (watch == 0) {
    freopen(watch_out.c_str(), "w", stdout);
    freopen((watch_out + ".err").c_str(), "w", stderr);
    std::vector<char*> raw;
    for (std::string& a : watch_argv) raw.push_back(a.data());
    raw.push_back(nullptr);
    execv(raw[0], raw.data());
    _exit(127);
  }

  const std::string articles = data_dir_.path() + "-articles.jsonl";
  std::ofstream(articles)
      << R"({"id": "cli-1", "source": "test", "title": "Pipeline news", "body": "A gas pipeline opened."})"
      << "\n";
  r = testing::RunToExit(Cli({"--token", feed.token, "submit", articles}));
  EXPECT_EQ(r.code, 0) << r.output;

  // Wait (bounded) for watch to print the alert.
  std::string printed;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline &&
         !absl::StrContains(printed, "\"cli-1\"")) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::ifstream in(watch_out);
    std::stringstream text;
    text << in.rdbuf();
    printed = text.str();
  }
  kill(watch, SIGTERM);
  int status = 0;
  waitpid(watch, &status, 0);
  EXPECT_THAT(printed, HasSubstr("\"cli-1\""));
  EXPECT_THAT(printed, HasSubstr("desk-asia"));
}

// Verifies `token new` refuses an analyst without subscriber and a subscriber
// on another role.
TEST(TokenCommandTest, RefusesIncompleteRoles) {
  testing::ExitResult r = testing::RunToExit(
      {NW_CLI_BINARY, "token", "new", "--role", "analyst", "--name", "x"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.output,
              HasSubstr("--subscriber is required for analyst tokens"));
  r = testing::RunToExit({NW_CLI_BINARY, "token", "new", "--role", "ingest",
                          "--subscriber", "s", "--name", "x"});
  EXPECT_EQ(r.code, 2);
  r = testing::RunToExit(
      {NW_CLI_BINARY, "token", "new", "--role", "root", "--name", "x"});
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.output, HasSubstr("--role must be ingest, analyst or admin"));
}

// Backups are the admin's: over TLS, `newswatch admin checkpoint` with an
// analyst's or the ingest token is refused and writes nothing; with the
// admin token it writes a checkpoint.
TEST_F(AuthCliE2eTest, OnlyAdminMayCheckpoint) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon(/*tls=*/true));
  const std::string target = data_dir_.path() + "-checkpoint";
  for (const std::string& token : {tokens_.alice, tokens_.ingest}) {
    testing::ExitResult r = testing::RunToExit(
        Cli({"--token", token, "admin", "checkpoint", target}));
    EXPECT_NE(r.code, 0) << r.output;
    EXPECT_THAT(r.output,
                HasSubstr("may not call AdminService/CreateCheckpoint; allowed "
                          "roles: admin"));
  }
  testing::ExitResult r =
      testing::RunToExit(Cli({"admin", "checkpoint", target}));
  EXPECT_THAT(r.output, HasSubstr("missing bearer token"));
  EXPECT_EQ(access(target.c_str(), F_OK), -1)
      << "a refused checkpoint wrote " << target;

  r = testing::RunToExit(
      Cli({"--token", tokens_.admin, "admin", "checkpoint", target}));
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("checkpoint " + target +
                                  ": articles up to sequence 0"));
  EXPECT_EQ(access((target + "/CURRENT").c_str(), F_OK), 0)
      << "no RocksDB checkpoint in " << target;
  std::filesystem::remove_all(target);
}

}  // namespace
}  // namespace nw
