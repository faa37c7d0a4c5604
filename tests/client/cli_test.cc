// The `newswatch` binary against the real newswatchd: `watch` survives
// daemon restarts and resumes from its cursor file; OUT_OF_RANGE exits 1;
// `rules add --backfill` reports the backfilled alerts.
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/client/daemon_fixture.h"
#include "tests/testutil/cli_process.h"
#include "tests/testutil/status_matchers.h"

namespace nw::client {
namespace {

using ::nw::testing::IsOk;

using ::nw::testing::Cli;
using ::nw::testing::FreePort;
using ::nw::testing::Slurp;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<uint64_t> JsonCursors(const std::vector<std::string>& lines) {
  std::vector<uint64_t> cursors;
  for (const std::string& line : lines) {
    cursors.push_back(nlohmann::json::parse(line)["cursor"].get<uint64_t>());
  }
  return cursors;
}

std::vector<uint64_t> Iota(uint64_t from, uint64_t to) {
  std::vector<uint64_t> v;
  for (uint64_t c = from; c <= to; ++c) v.push_back(c);
  return v;
}

class CliTest : public DaemonTest {
 protected:
  testing::TempDir work_;
};

// Verifies that `watch --json --cursor-file` prints every alert once across a
// daemon crash and restart, saves the last printed cursor on SIGTERM, and a
// second run resumes after it.
TEST_F(CliTest, WatchReconnectsAndResumesFromCursorFile) {
  const int port = FreePort();
  const std::string listen = "--listen=127.0.0.1:" + std::to_string(port);
  ASSERT_NO_FATAL_FAILURE(StartDaemon({listen}));
  ASSERT_NO_FATAL_FAILURE(AddRule("desk", "pipeline"));
  ASSERT_EQ(SubmitAll(PipelineArticles("a", 5)), 5u);
  const std::string cursor_file = work_.path() + "/desk.cursor";
  const std::vector<std::string> watch = {
      "--server", daemon_->address(), "watch",         "--subscriber",
      "desk",     "--json",           "--cursor-file", cursor_file};
  {
    Cli cli(work_.path(), watch);
    ASSERT_EQ(cli.WaitForLines(5), 5u);
    daemon_->Kill();
    ASSERT_NO_FATAL_FAILURE(StartDaemon({listen}));
    ASSERT_EQ(SubmitAll(PipelineArticles("b", 5)), 5u);
    ASSERT_EQ(cli.WaitForLines(10), 10u);
    EXPECT_EQ(cli.Wait(SIGTERM), 0) << cli.Err();
    EXPECT_EQ(JsonCursors(cli.Lines()), Iota(1, 10));
    EXPECT_THAT(cli.Err(), HasSubstr("reconnecting in"));
    EXPECT_EQ(Slurp(cursor_file), "10\n");
  }
  ASSERT_EQ(SubmitAll(PipelineArticles("c", 3)), 3u);
  Cli again(work_.path(), watch);
  ASSERT_EQ(again.WaitForLines(3), 3u);
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_EQ(again.Wait(SIGINT), 0) << again.Err();
  EXPECT_EQ(JsonCursors(again.Lines()), Iota(11, 13));
  EXPECT_EQ(Slurp(cursor_file), "13\n");
}

// Verifies that the human format also survives a restart without repeats.
TEST_F(CliTest, WatchHumanFormatAcrossRestart) {
  const int port = FreePort();
  const std::string listen = "--listen=127.0.0.1:" + std::to_string(port);
  ASSERT_NO_FATAL_FAILURE(StartDaemon({listen}));
  ASSERT_NO_FATAL_FAILURE(AddRule("desk", "pipeline"));
  ASSERT_EQ(SubmitAll(PipelineArticles("a", 2)), 2u);
  Cli cli(work_.path(),
          {"--server", daemon_->address(), "watch", "--subscriber", "desk"});
  ASSERT_EQ(cli.WaitForLines(2, "#"), 2u);  // alert lines; snippets follow
  ASSERT_THAT(daemon_->Stop(), IsOk());
  ASSERT_NO_FATAL_FAILURE(StartDaemon({listen}));
  ASSERT_EQ(SubmitAll(PipelineArticles("b", 1)), 1u);
  ASSERT_EQ(cli.WaitForLines(3, "#"), 3u);
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_EQ(cli.Wait(SIGTERM), 0);
  std::vector<std::string> heads;
  for (const std::string& line : cli.Lines()) {
    if (line[0] == '#') {
      heads.push_back(line.substr(0, line.find(' ')));
    } else {
      EXPECT_THAT(line,
                  AnyOf(HasSubstr("[Pipeline]"), HasSubstr("[pipeline]")));
    }
  }
  EXPECT_EQ(heads, (std::vector<std::string>{"#1", "#2", "#3"}));
}

// Verifies that a cursor older than retention exits 1 with the daemon's
// message, without retrying.
TEST_F(CliTest, WatchOutOfRangeExitsOne) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  ASSERT_NO_FATAL_FAILURE(AddRule("desk", "pipeline"));
  ASSERT_EQ(SubmitAll(PipelineArticles("a", 3)), 3u);
  ASSERT_THAT(daemon_->Stop(), IsOk());
  absl::SleepFor(absl::Milliseconds(20));
  ASSERT_NO_FATAL_FAILURE(StartDaemon({"--retention=10ms"}));
  const std::string cursor_file = work_.path() + "/old.cursor";
  std::ofstream(cursor_file) << "1\n";
  // Retention runs on its own thread after start: wait until it has.
  absl::Status probe;
  for (int i = 0; i < 100 && !absl::IsOutOfRange(probe); ++i) {
    v1::SubscribeRequest request;
    request.set_subscriber("desk");
    request.set_from_cursor(1);
    probe = client_->Subscribe(
        request, [](const v1::SubscribeResponse&) { return false; });
    if (!absl::IsOutOfRange(probe)) absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_TRUE(absl::IsOutOfRange(probe)) << probe;
  Cli cli(work_.path(),
          {"--server", daemon_->address(), "watch", "--subscriber", "desk",
           "--json", "--cursor-file", cursor_file});
  const int code = cli.Wait();
  const std::string err = cli.Err();
  EXPECT_EQ(code, 1) << err;
  // The connection line, then the daemon's reason.
  EXPECT_THAT(err, ::testing::EndsWith(absl::StrCat(
                       "newswatch: watch: ", probe.message(), "\n")));
  EXPECT_THAT(err, Not(HasSubstr("reconnecting")));
  EXPECT_EQ(Slurp(cursor_file), "1\n");
}

// Verifies `rules add --backfill 7d`: the count of alerts on stored articles.
TEST_F(CliTest, RulesAddBackfill) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  ASSERT_EQ(SubmitAll(PipelineArticles("a", 4)), 0u);
  Cli cli(work_.path(),
          {"--server", daemon_->address(), "rules", "add", "--subscriber",
           "desk", "--backfill", "7d", "pipeline"});
  EXPECT_EQ(cli.Wait(), 0) << cli.Err();
  const std::vector<std::string> lines = cli.Lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[0], HasSubstr("\tpipeline"));
  EXPECT_EQ(lines[1], "backfilled 4 alerts (articles ingested in the last 7d)");

  Cli bad(work_.path(),
          {"--server", daemon_->address(), "rules", "add", "--subscriber",
           "desk", "--backfill", "soon", "pipeline"});
  EXPECT_EQ(bad.Wait(), 2);
  EXPECT_THAT(bad.Err(), HasSubstr("--backfill"));

  // A window reaching back before 1970 ("everything") is a valid time too.
  Cli all(work_.path(),
          {"--server", daemon_->address(), "rules", "add", "--subscriber",
           "archive", "--backfill", "21000d", "pipeline"});
  EXPECT_EQ(all.Wait(), 0) << all.Err();
  ASSERT_EQ(all.Lines().size(), 2u);
  EXPECT_EQ(all.Lines()[1],
            "backfilled 4 alerts (articles ingested in the last 21000d)");
}

TEST_F(CliTest, RulesGetShowsOneRuleAndNotFoundFails) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  Cli add(work_.path(),
          {"--server", daemon_->address(), "rules", "add", "--subscriber",
           "desk", "--label", "energy", "crude AND (OPEC OR opec*)"});
  ASSERT_EQ(add.Wait(), 0) << add.Err();
  const std::string id =
      add.Lines().at(0).substr(0, add.Lines().at(0).find('\t'));

  Cli get(work_.path(), {"--server", daemon_->address(), "rules", "get", id});
  EXPECT_EQ(get.Wait(), 0) << get.Err();
  const std::vector<std::string> lines = get.Lines();
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0], "id:         " + id);
  EXPECT_EQ(lines[1], "subscriber: desk");
  EXPECT_EQ(lines[2], "label:      energy");
  EXPECT_EQ(lines[3], "query:      crude AND (OPEC OR opec*)");
  EXPECT_THAT(lines[4], HasSubstr("canonical:  crude AND (opec OR opec*)"));
  EXPECT_THAT(lines[5], HasSubstr("created:    20"));

  Cli missing(work_.path(),
              {"--server", daemon_->address(), "rules", "get", "r-404"});
  EXPECT_EQ(missing.Wait(), 1);
  EXPECT_THAT(missing.Err(), HasSubstr("r-404"));
}

}  // namespace
}  // namespace nw::client
