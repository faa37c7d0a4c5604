// A newcomer's first hour with the command-line tools (issue 15), each check
// on the real binaries: --version and --help, newswatch-match over a whole
// file, submit's summary, bad-line stop and Ctrl-C, watch's connection
// lines and giving up, TLS mismatches said as such, article JSON warnings
// and stable ids for id-less articles.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/client/daemon_fixture.h"
#include "tests/testutil/cli_process.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/test_certs.h"

namespace nw::client {
namespace {

using ::nw::testing::IsOk;

using ::nw::testing::Cli;
using ::nw::testing::FreePort;
using ::testing::AllOf;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

class CliUsabilityTest : public DaemonTest {
 protected:
  std::string Path(const std::string& name) const {
    return work_.path() + "/" + name;
  }
  // Runs `binary ARGS` to completion; returns its exit code.
  int Run(const std::vector<std::string>& args, std::string* out,
          std::string* err, const std::string& binary = NW_CLI_BINARY) {
    Cli cli(work_.path(), args, binary);
    const int code = cli.Wait();
    *out = cli.Out();
    *err = cli.Err();
    return code;
  }
  testing::TempDir work_;
};

// Verifies --version on both binaries (version, build type, commit), that
// `newswatch --help` lists every subcommand, and that newswatchd --help
// names its flags' file from the repository root, not the build machine.
TEST_F(CliUsabilityTest, VersionAndHelp) {
  std::string out, err;
  ASSERT_EQ(Run({"--version"}, &out, &err), 0) << err;
  EXPECT_THAT(out, ContainsRegex("^newswatch [0-9]+\\.[0-9]+\\.[0-9]+ "
                                 "\\([A-Za-z]+, commit [0-9a-f]+"));
  ASSERT_EQ(Run({"--version"}, &out, &err, testing::DaemonBinary()), 0) << err;
  EXPECT_THAT(out, ContainsRegex("^newswatchd [0-9]+\\.[0-9]+\\.[0-9]+ "
                                 "\\([A-Za-z]+, commit [0-9a-f]+"));

  ASSERT_EQ(Run({"--help"}, &out, &err), 0) << err;
  for (const char* command :
       {"submit", "rules add", "rules list", "rules get", "rules rm",
        "rules validate", "watch", "get ARTICLE_ID", "token new",
        "admin checkpoint", "version"}) {
    EXPECT_THAT(out, HasSubstr("  " + std::string(command))) << command;
  }

  Run({"--help"}, &out, &err, testing::DaemonBinary());
  const std::string help = out + err;
  EXPECT_THAT(help, HasSubstr("Flags from server/daemon/daemon_flags.cc"));
  EXPECT_THAT(help, Not(HasSubstr(NW_SOURCE_DIR)));
}

// Verifies that newswatch-match runs the rule over every line of a JSON
// Lines file, shows the matched words, and that --help prints its usage.
TEST_F(CliUsabilityTest, MatchRunsOverEveryLineAndShowsWords) {
  WriteFile(Path("a.jsonl"),
            R"({"id": "a", "title": "Oil", "body": "Crude oil and OPEC."})"
            "\n\n"
            R"({"id": "b", "title": "Rain", "body": "Rain in Oslo."})"
            "\n"
            R"({"title": "OPEC", "body": "Saudi crude rose."})"
            "\n");
  std::string out, err;
  ASSERT_EQ(Run({"--rule", "crude AND OPEC", Path("a.jsonl")}, &out, &err,
                NW_MATCH_BINARY),
            0)
      << err;
  std::vector<std::string> lines = absl::StrSplit(out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 3u) << out;
  const auto first = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(first["id"], "a");
  EXPECT_EQ(first["line"], 1);
  EXPECT_EQ(first["match"], true);
  EXPECT_EQ(first["words"], nlohmann::json({"Crude", "OPEC"}));
  EXPECT_EQ(nlohmann::json::parse(lines[1])["match"], false);
  EXPECT_EQ(nlohmann::json::parse(lines[2])["line"], 4);
  EXPECT_EQ(nlohmann::json::parse(lines[2])["words"],
            nlohmann::json({"OPEC", "crude"}));
  EXPECT_THAT(err, HasSubstr("2 of 3 articles"));

  ASSERT_EQ(Run({"--help"}, &out, &err, NW_MATCH_BINARY), 0);
  EXPECT_THAT(out, HasSubstr("usage: newswatch-match --rule"));
}

// Verifies submit's summary (singular and plural), the stable id of an
// id-less article (a second submission is a duplicate), the warning for an
// unknown key, and that a file of non-JSON lines stops after 20 with a hint.
TEST_F(CliUsabilityTest, SubmitSummaryWarningsAndStableIds) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  WriteFile(Path("one.jsonl"),
            R"({"titel": "Oil", "body": "Crude oil.", "published": )"
            R"("Tue, 23 Feb 2021 10:00:00 GMT"})"
            "\n");
  const std::vector<std::string> submit = {"--server", daemon_->address(),
                                           "submit", Path("one.jsonl")};
  std::string out, err;
  ASSERT_EQ(Run(submit, &out, &err), 0) << err;
  EXPECT_THAT(out, HasSubstr("submitted 1 article (0 duplicates, 0 rejected)"));
  EXPECT_THAT(err, HasSubstr("unknown key \"titel\" ignored (did you mean "
                             "\"title\"?)"));
  ASSERT_EQ(Run(submit, &out, &err), 0) << err;
  EXPECT_THAT(out, HasSubstr("submitted 1 article (1 duplicate, 0 rejected)"));

  std::string readme;
  for (int i = 0; i < 30; ++i)
    readme += "# Not JSON, line " + std::to_string(i) + "\n";
  WriteFile(Path("README.md"), readme);
  ASSERT_EQ(Run({"--server", daemon_->address(), "submit", Path("README.md")},
                &out, &err),
            1);
  EXPECT_THAT(err, HasSubstr("20 lines in a row are not JSON articles"));
  EXPECT_THAT(err, HasSubstr("JSON Lines"));
  EXPECT_THAT(err, Not(HasSubstr("README.md:21:")));
  EXPECT_THAT(out,
              HasSubstr("submitted 20 articles (0 duplicates, 20 rejected)"));
  EXPECT_THAT(out, Not(HasSubstr("articles/s")));
}

// Verifies that Ctrl-C during a submission from stdin prints the summary of
// what was acknowledged and exits 130.
TEST_F(CliUsabilityTest, SubmitCtrlCPrintsSummary) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  const std::string fifo = Path("stdin.fifo");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  Cli cli(work_.path(), {"--server", daemon_->address(), "submit"},
          NW_CLI_BINARY, fifo);
  const int fd = open(fifo.c_str(), O_WRONLY);  // waits for the child
  ASSERT_GE(fd, 0);
  const std::string lines = R"({"id": "c1", "body": "one"})"
                            "\n"
                            R"({"id": "c2", "body": "two"})"
                            "\n";
  ASSERT_EQ(write(fd, lines.data(), lines.size()),
            static_cast<ssize_t>(lines.size()));
  // Both stored before the interrupt, so the summary counts them.
  for (int i = 0; i < 300 && !client_->GetArticle("c2").ok(); ++i) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_THAT(client_->GetArticle("c2"), IsOk());
  // As in `cat file | newswatch submit`: Ctrl-C ends both.
  cli.Signal(SIGINT);
  absl::SleepFor(absl::Milliseconds(200));
  close(fd);
  EXPECT_EQ(cli.Wait(), 130) << cli.Err();
  EXPECT_THAT(cli.Out(), AllOf(HasSubstr("submitted 2 articles"),
                               HasSubstr("interrupted")));
}

// Verifies that submit to a port where nothing listens says so, without a
// summary of zero articles.
TEST_F(CliUsabilityTest, SubmitWithNoDaemonSaysSo) {
  WriteFile(Path("one.jsonl"), R"({"id": "x", "body": "b"})"
                               "\n");
  const std::string server = "127.0.0.1:" + std::to_string(FreePort());
  std::string out, err;
  EXPECT_EQ(Run({"--server", server, "submit", Path("one.jsonl")}, &out, &err),
            1);
  EXPECT_THAT(err, HasSubstr("nothing is listening on " + server));
  EXPECT_THAT(out, Not(HasSubstr("articles/s")));
}

// Verifies that watch says what it connected to, and gives up with a clear
// message on a port where nothing ever listened, one short line per attempt.
TEST_F(CliUsabilityTest, WatchSaysConnectedAndGivesUpOnNothingListening) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  {
    Cli cli(work_.path(), {"--server", daemon_->address(), "watch",
                           "--subscriber", "desk", "--json"});
    for (int i = 0; i < 1000 && !absl::StrContains(cli.Err(), "connected");
         ++i) {
      absl::SleepFor(absl::Milliseconds(20));
    }
    EXPECT_THAT(cli.Err(), HasSubstr("connected to " + daemon_->address() +
                                     ", subscriber desk"));
    EXPECT_EQ(cli.Wait(SIGINT), 0);
  }
  const std::string server = "127.0.0.1:" + std::to_string(FreePort());
  Cli cli(work_.path(),
          {"--server", server, "watch", "--subscriber", "desk", "--json"});
  EXPECT_EQ(cli.Wait(), 1) << cli.Err();
  const std::string err = cli.Err();
  EXPECT_THAT(err, HasSubstr("nothing is listening on " + server));
  EXPECT_THAT(err, HasSubstr("gave up after 5 attempts"));
  for (absl::string_view line : absl::StrSplit(err, '\n')) {
    EXPECT_LT(line.size(), 200u) << line;
  }
}

// Verifies that TLS on one side only, and a certificate from another CA,
// are reported as what they are.
TEST_F(CliUsabilityTest, TlsMismatchesSaidAsSuch) {
  absl::StatusOr<testing::TestCerts> certs =
      testing::MakeTestCerts(work_.path());
  ASSERT_THAT(certs, IsOk());
  ASSERT_NO_FATAL_FAILURE(StartDaemon());  // plaintext
  std::string out, err;
  EXPECT_EQ(Run({"--server", daemon_->address(), "--tls-ca", certs->ca, "rules",
                 "list"},
                &out, &err),
            1);
  EXPECT_THAT(err, HasSubstr("does not speak TLS"));

  absl::StatusOr<std::unique_ptr<testing::DaemonProcess>> tls =
      testing::DaemonProcess::Start(
          testing::DaemonBinary(), Path("tls-data"),
          {"--tls-cert", certs->server_cert, "--tls-key", certs->server_key});
  ASSERT_THAT(tls, IsOk());
  const std::string address = (*tls)->address();
  EXPECT_EQ(Run({"--server", address, "rules", "list"}, &out, &err), 1);
  EXPECT_THAT(err, HasSubstr("probably serves TLS"));
  EXPECT_EQ(
      Run({"--server", address, "--tls-ca", certs->other_ca, "rules", "list"},
          &out, &err),
      1);
  EXPECT_THAT(err, HasSubstr("is not signed by --tls-ca " + certs->other_ca));
  EXPECT_EQ(Run({"--server", address, "--tls-ca", certs->ca, "rules", "list"},
                &out, &err),
            0)
      << err;
}

}  // namespace
}  // namespace nw::client
