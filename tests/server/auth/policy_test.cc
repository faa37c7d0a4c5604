#include "server/auth/policy.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testutil/status_matchers.h"

namespace nw::auth {
namespace {

using ::nw::testing::IsOk;

using ::testing::HasSubstr;

const Principal kIngest{
    .name = "feed", .role = Role::kIngest, .subscriber = ""};
const Principal kAlice{
    .name = "alice", .role = Role::kAnalyst, .subscriber = "desk-asia"};
const Principal kAdmin{.name = "ops", .role = Role::kAdmin, .subscriber = ""};

const std::vector<std::string> kIngestMethods = {
    "/newswatch.v1.IngestService/SubmitArticle",
    "/newswatch.v1.IngestService/SubmitArticles"};
const std::vector<std::string> kAnalystMethods = {
    "/newswatch.v1.ArticleService/GetArticle",
    "/newswatch.v1.ArticleService/GetStory",
    "/newswatch.v1.SubscriberService/GetSubscriberSettings",
    "/newswatch.v1.SubscriberService/UpdateSubscriberSettings",
    "/newswatch.v1.RuleService/CreateRule",
    "/newswatch.v1.RuleService/GetRule",
    "/newswatch.v1.RuleService/ListRules",
    "/newswatch.v1.RuleService/DeleteRule",
    "/newswatch.v1.RuleService/ValidateRule",
    "/newswatch.v1.AlertService/Subscribe"};

// Verifies the role table: ingest only submits, analysts only read and manage
// rules/alerts, admin everything.
TEST(PolicyTest, RoleTable) {
  for (const std::string& m : kIngestMethods) {
    EXPECT_THAT(CheckMethod(kIngest, m), IsOk()) << m;
    EXPECT_THAT(CheckMethod(kAdmin, m), IsOk()) << m;
    absl::Status s = CheckMethod(kAlice, m);
    EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << m;
    EXPECT_THAT(std::string(s.message()),
                HasSubstr("allowed roles: ingest, admin"));
  }
  for (const std::string& m : kAnalystMethods) {
    EXPECT_THAT(CheckMethod(kAlice, m), IsOk()) << m;
    EXPECT_THAT(CheckMethod(kAdmin, m), IsOk()) << m;
    absl::Status s = CheckMethod(kIngest, m);
    EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << m;
    EXPECT_THAT(std::string(s.message()),
                HasSubstr("token 'feed' (role ingest) may not call"));
  }
}

// Verifies methods missing from the table are admin-only, and reflection
// takes any role.
TEST(PolicyTest, UnknownMethodsAreAdminOnlyReflectionAnyRole) {
  const std::string unknown = "/newswatch.v1.RuleService/PurgeEverything";
  EXPECT_EQ(CheckMethod(kAlice, unknown).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(CheckMethod(kIngest, unknown).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(CheckMethod(kAdmin, unknown), IsOk());
  const std::string reflection =
      "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";
  EXPECT_THAT(CheckMethod(kIngest, reflection), IsOk());
  EXPECT_THAT(CheckMethod(kAlice, reflection), IsOk());
}

// Verifies only the health service is public.
TEST(PolicyTest, OnlyHealthIsPublic) {
  EXPECT_TRUE(IsPublicMethod("/grpc.health.v1.Health/Check"));
  EXPECT_TRUE(IsPublicMethod("/grpc.health.v1.Health/Watch"));
  EXPECT_FALSE(IsPublicMethod("/newswatch.v1.RuleService/ValidateRule"));
  EXPECT_FALSE(IsPublicMethod(
      "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"));
}

// Verifies analysts own only their subscriber; admins all; ingest none.
TEST(PolicyTest, SubscriberOwnership) {
  EXPECT_THAT(CheckOwnsSubscriber(kAlice, "desk-asia", "subscribe to"), IsOk());
  absl::Status s = CheckOwnsSubscriber(kAlice, "desk-energy", "subscribe to");
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(
      std::string(s.message()),
      HasSubstr(
          "may not subscribe to subscriber 'desk-energy'; it is limited to "
          "subscriber 'desk-asia'"));
  EXPECT_THAT(CheckOwnsSubscriber(kAdmin, "desk-energy", "subscribe to"),
              IsOk());
  EXPECT_EQ(CheckOwnsSubscriber(kIngest, "", "list the rules of").code(),
            absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace nw::auth
