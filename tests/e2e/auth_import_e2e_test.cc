// Bulk import and export under tokens: an analyst imports only for its own
// subscriber and never chooses ids; export shows only its own rules.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "newswatch/v1/rule_service.grpc.pb.h"
#include "tests/e2e/auth_fixture.h"

namespace nw {
namespace {

using ::testing::HasSubstr;
namespace v1 = ::newswatch::v1;

class AuthImportTest : public testing::AuthFixture {};

v1::WatchRule Rule(const std::string& subscriber, const std::string& query,
                   const std::string& id = "") {
  v1::WatchRule rule;
  rule.set_subscriber(subscriber);
  rule.set_query(query);
  rule.set_id(id);
  return rule;
}

// Verifies an analyst's import stores the rules of its own subscriber
// (named or implied) and refuses, rule by rule, another subscriber's
// (PERMISSION_DENIED) and a chosen id (INVALID_ARGUMENT); its export holds
// its own rules only.
TEST_F(AuthImportTest, AnalystImportsOnlyForItself) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon(/*tls=*/true));
  auto alice = v1::RuleService::NewStub(Channel(tokens_.alice));
  grpc::ClientContext ctx;
  v1::ImportRulesResponse response;
  auto stream = alice->ImportRules(&ctx, &response);
  v1::ImportRulesRequest batch;
  *batch.add_rules() = Rule("desk-asia", "Myanmar");
  *batch.add_rules() = Rule("", "sanctions");
  *batch.add_rules() = Rule("desk-energy", "crude");
  *batch.add_rules() = Rule("desk-asia", "junta", "r-chosen");
  ASSERT_TRUE(stream->Write(batch));
  stream->WritesDone();
  ASSERT_TRUE(stream->Finish().ok());
  EXPECT_EQ(response.created(), 2u);
  EXPECT_EQ(response.invalid(), 2u);
  ASSERT_EQ(response.errors_size(), 2);
  EXPECT_EQ(response.errors(0).index(), 2u);
  EXPECT_EQ(response.errors(0).code(), "PERMISSION_DENIED");
  EXPECT_EQ(response.errors(1).index(), 3u);
  EXPECT_EQ(response.errors(1).code(), "INVALID_ARGUMENT");
  EXPECT_THAT(response.errors(1).message(), HasSubstr("only an admin"));

  auto bob = v1::RuleService::NewStub(Channel(tokens_.bob));
  grpc::ClientContext export_ctx;
  v1::ListRulesRequest request;  // empty: the analyst's own
  auto pages = bob->ExportRules(&export_ctx, request);
  v1::ListRulesResponse page;
  int rules = 0;
  while (pages->Read(&page)) rules += page.rules_size();
  EXPECT_TRUE(pages->Finish().ok());
  EXPECT_EQ(rules, 0);  // bob sees none of alice's
  grpc::ClientContext other_ctx;
  request.set_subscriber("desk-asia");
  auto refused = bob->ExportRules(&other_ctx, request);
  while (refused->Read(&page)) ++rules;
  EXPECT_EQ(refused->Finish().error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(rules, 0);
}

}  // namespace
}  // namespace nw
