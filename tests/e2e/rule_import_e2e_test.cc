// Bulk rule import and export (issue 16 item 3) on the real newswatchd, over
// gRPC and `newswatch rules import|export`.
#include <chrono>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "newswatch/v1/rule_service.grpc.pb.h"
#include "tests/testutil/cli_process.h"
#include "tests/testutil/daemon_process.h"
#include "tests/testutil/e2e_client.h"
#include "tests/testutil/status_matchers.h"

namespace nw {
namespace {

using ::nw::testing::IsOk;

using ::testing::HasSubstr;
namespace v1 = ::newswatch::v1;

class RuleImportTest : public testing::E2eTest {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(StartDaemon()); }

  std::string WriteFile(const std::string& name, const std::string& text) {
    const std::string path = files_.path() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  // Runs `newswatch --server <daemon> ARGS...` to its end.
  struct Run {
    int code;
    std::string out, err;
  };
  Run Cli(const testing::DaemonProcess& daemon, std::vector<std::string> args) {
    args.insert(args.begin(), {"--server", daemon.address()});
    testing::Cli cli(files_.path(), args);
    const int code = cli.Wait();
    return {code, cli.Out(), cli.Err()};
  }

  // id -> "subscriber|query|label" of every stored rule.
  static std::map<std::string, std::string> RulesOf(testing::Client& client) {
    std::map<std::string, std::string> out;
    for (const v1::WatchRule& r : client.ListRules("")) {
      out[r.id()] = r.subscriber() + "|" + r.query() + "|" + r.label();
    }
    return out;
  }

  testing::TempDir files_;
};

// Three valid rules, then a copy of the first, a syntax error, a typo.
constexpr char kValidRules[] =
    R"({"subscriber": "energy", "rule": "pipeline", "label": "pipes"})"
    "\n"
    R"({"subscriber": "energy", "rule": "crude AND oil"})"
    "\n"
    R"({"subscriber": "asia", "rule": "Myanmar"})"
    "\n";
constexpr char kRules[] =
    R"({"subscriber": "energy", "rule": "pipeline", "label": "pipes"})"
    "\n"
    R"({"subscriber": "energy", "rule": "crude AND oil"})"
    "\n"
    R"({"subscriber": "asia", "rule": "Myanmar"})"
    "\n"
    R"({"subscriber": "energy", "rule": "pipeline"})"
    "\n"
    R"({"subscriber": "energy", "rule": "a AND ("})"
    "\n"
    R"({"subscriber": "energy", "rul": "b"})"
    "\n";

// Verifies the summary (created / already present / invalid with line
// numbers), that imported rules match the next article, and that importing
// the same file again creates nothing.
TEST_F(RuleImportTest, ImportCountsEachLineAndImportedRulesMatch) {
  const std::string file = WriteFile("rules.jsonl", kRules);
  Run first = Cli(*daemon_, {"rules", "import", file});
  EXPECT_EQ(first.code, 1) << first.err;  // some lines were invalid
  EXPECT_THAT(first.out,
              HasSubstr("3 created, 1 already present, 2 invalid (6 lines"));
  EXPECT_THAT(first.err, HasSubstr(file + ":5: invalid rule: "));
  EXPECT_THAT(first.err, HasSubstr("(at byte 7)"));
  EXPECT_THAT(first.err,
              HasSubstr(file + ":6: unknown key \"rul\" (did you mean"));
  EXPECT_EQ(client_->ListRules("energy").size(), 2u);
  EXPECT_EQ(client_->ListRules("asia").size(), 1u);

  ASSERT_EQ(client_->SubmitAll(testing::PipelineArticles("imp", 1)).size(), 1u);
  std::vector<v1::Alert> alerts =
      client_->ReadAlerts("energy", 0, 1, std::chrono::milliseconds(200));
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].article_id(), "imp-0");

  Run again = Cli(*daemon_, {"rules", "import", file});
  EXPECT_THAT(again.out,
              HasSubstr("0 created, 4 already present, 2 invalid (6 lines"));
  EXPECT_EQ(client_->ListRules("").size(), 3u);
}

// Verifies that with --keep-ids a rule the subscriber already has is counted,
// not copied, whether its id is new (the same canonical query under another
// id) or repeated in the file, and that a taken id with another query is
// refused by line.
TEST_F(RuleImportTest, KeepIdsCountsTheSameRuleOnceWhateverItsId) {
  const std::string file = WriteFile(
      "ids.jsonl", R"({"id": "iron-1", "subscriber": "metals", "rule": "iron"})"
                   "\n"
                   R"({"id": "iron-2", "subscriber": "metals", "rule": "IRON"})"
                   "\n"
                   R"({"id": "iron-1", "subscriber": "metals", "rule": "iron"})"
                   "\n"
                   R"({"id": "iron-1", "subscriber": "metals", "rule": "tin"})"
                   "\n");
  Run run = Cli(*daemon_, {"rules", "import", "--keep-ids", file});
  EXPECT_THAT(run.out,
              HasSubstr("1 created, 2 already present, 1 invalid (4 lines"));
  EXPECT_THAT(run.err,
              HasSubstr(file + ":4: a different rule has id 'iron-1'"));
  ASSERT_EQ(client_->ListRules("metals").size(), 1u);
  EXPECT_EQ(client_->ListRules("metals")[0].id(), "iron-1");
}

// Verifies that lines no batch could carry (one longer than any rule, and
// 2,000 lines of 9 KB, past gRPC's 16 MiB message limit together) are each
// reported by number while the valid lines around them are created, and
// that a line that is not UTF-8 is named as such.
TEST_F(RuleImportTest, OversizedAndNonUtf8LinesAreReportedAndTheRestCreated) {
  std::string text = R"({"subscriber": "big", "rule": "before"})"
                     "\n";
  text += "{\"subscriber\": \"big\", \"rule\": \"caf\xe9\"}\n";
  text += R"({"subscriber": "big", "rule": ")" + std::string(2 << 20, 'y') +
          "\"}\n";
  for (int i = 0; i < 2000; ++i) {
    text += R"({"subscriber": "big", "rule": "w)" + std::to_string(i) + " " +
            std::string(9000, 'y') + "\"}\n";
  }
  text += R"({"subscriber": "big", "rule": "after"})"
          "\n";
  const std::string file = WriteFile("big.jsonl", text);
  Run run = Cli(*daemon_, {"rules", "import", file});
  EXPECT_EQ(run.code, 1) << run.err;
  EXPECT_THAT(run.out, HasSubstr("2 created, 0 already present, 2002 invalid"));
  EXPECT_THAT(run.err, HasSubstr(file + ":2: not UTF-8: invalid byte at"));
  EXPECT_THAT(run.err, HasSubstr(file + ":3: line of "));
  EXPECT_THAT(run.err, HasSubstr(file + ":4: invalid rule: rule longer than"));
  EXPECT_THAT(run.err, HasSubstr("(1982 more invalid lines not shown)"));
  EXPECT_EQ(client_->ListRules("big").size(), 2u);
}

// Verifies an export read back with --keep-ids into another daemon gives the
// same rules (ids, subscribers, queries, labels), and that --subscriber
// overrides the file's.
TEST_F(RuleImportTest, ExportThenImportKeepsIdsQueriesAndLabels) {
  ASSERT_EQ(
      Cli(*daemon_, {"rules", "import", WriteFile("in.jsonl", kValidRules)})
          .code,
      0);
  const std::string exported = files_.path() + "/out.jsonl";
  Run out = Cli(*daemon_, {"rules", "export", "--out", exported});
  ASSERT_EQ(out.code, 0) << out.err;
  EXPECT_THAT(out.err, HasSubstr("3 rules written"));

  testing::TempDir other_dir;
  auto other = testing::DaemonProcess::Start(testing::DaemonBinary(),
                                             other_dir.path() + "/data");
  ASSERT_THAT(other, IsOk());
  Run in = Cli(**other, {"rules", "import", "--keep-ids", exported});
  EXPECT_EQ(in.code, 0) << in.err;
  EXPECT_THAT(in.out, HasSubstr("3 created, 0 already present, 0 invalid"));
  testing::Client other_client((*other)->Channel());
  EXPECT_EQ(RulesOf(other_client), RulesOf(*client_));

  // Without --keep-ids the ids are new, and --subscriber moves every rule.
  Run moved =
      Cli(**other, {"rules", "import", "--subscriber", "desk", exported});
  EXPECT_THAT(moved.out, HasSubstr("3 created"));
  for (const v1::WatchRule& r : other_client.ListRules("desk")) {
    EXPECT_EQ(RulesOf(*client_).count(r.id()), 0u) << r.id();
  }
}

// Verifies rules are durable once the import returns: a SIGKILL right after
// loses none of them.
TEST_F(RuleImportTest, ImportedRulesSurviveAKill) {
  std::string many;
  for (int i = 0; i < 5000; ++i) {
    many += R"({"subscriber": "s)" + std::to_string(i % 7) +
            R"(", "rule": "word)" + std::to_string(i) + "\"}\n";
  }
  Run run = Cli(*daemon_, {"rules", "import", WriteFile("many.jsonl", many)});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("5000 created"));
  daemon_->Kill();
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  EXPECT_EQ(client_->ListRules("").size(), 5000u);
  // And matching knows them after the restart.
  v1::Article article = testing::PipelineArticles("k", 1)[0];
  article.set_body(article.body() + " word4321");
  ASSERT_EQ(client_->SubmitAll({article}).size(), 1u);
  EXPECT_EQ(
      client_->ReadAlerts("s2", 0, 1, std::chrono::milliseconds(200)).size(),
      1u);  // 4321 % 7 == 2
}

// Verifies bad requests are refused with a message naming what to fix: a
// string that is not UTF-8 (by its field path) and an oversized batch.
TEST_F(RuleImportTest, BadBatchesAreRefusedByName) {
  {
    grpc::ClientContext ctx;
    v1::ImportRulesResponse response;
    auto stream = client_->rules().ImportRules(&ctx, &response);
    v1::ImportRulesRequest batch;
    v1::WatchRule* rule = batch.add_rules();
    rule->set_subscriber("energy");
    rule->set_query("ok");
    rule = batch.add_rules();
    rule->set_subscriber("energy");
    rule->set_query("bad \xff byte");
    stream->Write(batch);
    stream->WritesDone();
    grpc::Status s = stream->Finish();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), HasSubstr("rules[1].query"));
  }
  {
    grpc::ClientContext ctx;
    v1::ImportRulesResponse response;
    auto stream = client_->rules().ImportRules(&ctx, &response);
    v1::ImportRulesRequest batch;
    for (int i = 0; i < 10001; ++i) {
      v1::WatchRule* rule = batch.add_rules();
      rule->set_subscriber("energy");
      rule->set_query("w" + std::to_string(i));
    }
    stream->Write(batch);
    stream->WritesDone();
    grpc::Status s = stream->Finish();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), HasSubstr("over the limit of 10000"));
  }
  EXPECT_TRUE(client_->ListRules("").empty());
}

}  // namespace
}  // namespace nw
