// End to end over gRPC and the CLI: PreviewRule, UpdateRule, GetRuleStats and
// the lint warnings of ValidateRule (issue 11), on the real newswatchd.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "newswatch/v1/rule_service.grpc.pb.h"
#include "tests/testutil/daemon_process.h"
#include "tests/testutil/e2e_client.h"
#include "tests/testutil/status_matchers.h"

namespace nw {
namespace {

using ::nw::testing::IsOk;

using ::testing::HasSubstr;
using testing::PipelineArticles;
namespace v1 = ::newswatch::v1;

class RuleToolsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto d = testing::DaemonProcess::Start(testing::DaemonBinary(),
                                           dir_.path() + "/data");
    ASSERT_THAT(d, IsOk());
    daemon_ = *std::move(d);
    client_ = std::make_unique<testing::Client>(daemon_->Channel());
  }

  // `newswatch --server ADDR ARGS` (stdout, stderr folded in).
  std::string Cli(const std::string& args) {
    const std::string cmd = std::string(NW_CLI_BINARY) + " --server " +
                            daemon_->address() + " " + args + " 2>&1";
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::DaemonProcess> daemon_;
  std::unique_ptr<testing::Client> client_;
};

// Verifies the preview runs the exact matcher over the stored articles of
// the window, newest first, and creates no alert; a bad rule is
// INVALID_ARGUMENT with its offset; the CLI prints the same counts.
TEST_F(RuleToolsTest, PreviewMatchesStoredArticlesAndWritesNothing) {
  ASSERT_EQ(client_->SubmitAll(PipelineArticles("a", 5)).size(), 5u);
  grpc::ClientContext ctx;
  v1::PreviewRuleRequest req;
  req.set_query("pipeline");
  req.set_limit(3);
  v1::PreviewRuleResponse resp;
  ASSERT_TRUE(client_->rules().PreviewRule(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.scanned(), 5u);
  EXPECT_EQ(resp.matched(), 5u);
  EXPECT_FALSE(resp.truncated());
  ASSERT_EQ(resp.samples_size(), 3);
  EXPECT_EQ(resp.samples(0).article_id(), "a-4");  // newest first
  EXPECT_FALSE(resp.samples(0).matches(0).highlights().empty());
  req.set_query("zzzqqq");
  grpc::ClientContext ctx2;
  ASSERT_TRUE(client_->rules().PreviewRule(&ctx2, req, &resp).ok());
  EXPECT_EQ(resp.matched(), 0u);
  EXPECT_THAT(resp.warnings(0), HasSubstr("no stored article"));
  req.set_query("a AND (");
  grpc::ClientContext ctx3;
  EXPECT_EQ(client_->rules().PreviewRule(&ctx3, req, &resp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Cli("rules test --since 7d pipeline"),
              HasSubstr("5 matches among 5 articles of the last 7d"));
  // Nothing was written: a stream from cursor 0 gets only a later alert.
  v1::WatchRule rule;
  ASSERT_TRUE(client_->CreateRule("desk", "pipeline", &rule).ok());
  ASSERT_EQ(client_->SubmitAll(PipelineArticles("b", 1)).size(), 1u);
  std::vector<v1::Alert> alerts =
      client_->ReadAlerts("desk", 0, 1, std::chrono::milliseconds(300));
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].article_id(), "b-0");
}

// Verifies UpdateRule keeps the id and the next article is matched with the
// new query (as after a create); a bad query changes nothing; stats count
// the rule's alerts; the CLI edits the label.
TEST_F(RuleToolsTest, UpdateRuleChangesMatchingAndKeepsTheId) {
  v1::WatchRule rule;
  ASSERT_TRUE(client_->CreateRule("desk", "zzzqqq", &rule).ok());
  ASSERT_EQ(client_->SubmitAll(PipelineArticles("a", 1)).size(), 1u);
  v1::UpdateRuleRequest up;
  up.set_id(rule.id());
  up.set_query("pipeline");
  v1::WatchRule updated;
  grpc::ClientContext ctx;
  ASSERT_TRUE(client_->rules().UpdateRule(&ctx, up, &updated).ok());
  EXPECT_EQ(updated.id(), rule.id());
  EXPECT_EQ(updated.canonical(), "pipeline");
  EXPECT_EQ(updated.created_at().seconds(), rule.created_at().seconds());
  ASSERT_EQ(client_->SubmitAll(PipelineArticles("b", 1)).size(), 1u);
  std::vector<v1::Alert> alerts =
      client_->ReadAlerts("desk", 0, 1, std::chrono::milliseconds(300));
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].article_id(), "b-0");
  up.set_query("a AND (");
  grpc::ClientContext ctx2;
  EXPECT_EQ(client_->rules().UpdateRule(&ctx2, up, &updated).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::GetRuleStatsRequest sreq;
  sreq.set_subscriber("desk");
  v1::GetRuleStatsResponse stats;
  grpc::ClientContext ctx3;
  ASSERT_TRUE(client_->rules().GetRuleStats(&ctx3, sreq, &stats).ok());
  ASSERT_EQ(stats.rules_size(), 1);
  EXPECT_EQ(stats.rules(0).alerts_24h(), 1u);
  EXPECT_EQ(stats.rules(0).alerts_7d(), 1u);
  EXPECT_THAT(Cli("rules edit " + rule.id() + " --label gulf"),
              HasSubstr(rule.id() + "\tpipeline"));
  EXPECT_EQ(client_->ListRules("desk").at(0).label(), "gulf");
  EXPECT_EQ(client_->ListRules("desk").at(0).query(), "pipeline");
}

// Verifies ValidateRule warns about lower-case operators and a duplicate of
// the subscriber's rule, over gRPC and in the CLI.
TEST_F(RuleToolsTest, ValidateWarnsAboutLikelyMistakes) {
  v1::WatchRule rule;
  ASSERT_TRUE(client_->CreateRule("desk", "crude AND oil", &rule).ok());
  v1::ValidateRuleRequest req;
  req.set_query("crude and oil");
  req.set_subscriber("desk");
  v1::ValidateRuleResponse resp;
  grpc::ClientContext ctx;
  ASSERT_TRUE(client_->rules().ValidateRule(&ctx, req, &resp).ok());
  EXPECT_TRUE(resp.valid());
  ASSERT_EQ(resp.warnings_size(), 1);
  EXPECT_THAT(resp.warnings(0), HasSubstr("'and' in lower case"));
  req.set_query("Crude AND oil");
  grpc::ClientContext ctx2;
  ASSERT_TRUE(client_->rules().ValidateRule(&ctx2, req, &resp).ok());
  ASSERT_EQ(resp.warnings_size(), 1);
  EXPECT_THAT(resp.warnings(0), HasSubstr("already has a rule"));
  EXPECT_THAT(Cli("rules validate 'oil or gas'"),
              HasSubstr("warning: 'or' in lower case"));
}

}  // namespace
}  // namespace nw
