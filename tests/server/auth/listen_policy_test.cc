#include "server/auth/listen_policy.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testutil/status_matchers.h"

namespace nw::auth {
namespace {

using ::nw::testing::IsOk;

using ::testing::HasSubstr;

// Verifies how listen addresses are classified.
TEST(ListenPolicyTest, Classify) {
  EXPECT_EQ(ClassifyListen("127.0.0.1:7373"), ListenScope::kLocalhost);
  EXPECT_EQ(ClassifyListen("[::1]:7373"), ListenScope::kLocalhost);
  EXPECT_EQ(ClassifyListen("localhost:0"), ListenScope::kLocalhost);
  EXPECT_EQ(ClassifyListen("127.0.0.2:7373"), ListenScope::kOtherLoopback);
  EXPECT_EQ(ClassifyListen("unix:/run/newswatch.sock"),
            ListenScope::kUnixSocket);
  EXPECT_EQ(ClassifyListen("0.0.0.0:7373"), ListenScope::kNetwork);
  EXPECT_EQ(ClassifyListen("[::]:7373"), ListenScope::kNetwork);
  EXPECT_EQ(ClassifyListen(":7373"), ListenScope::kNetwork);
  EXPECT_EQ(ClassifyListen("10.1.2.3:7373"), ListenScope::kNetwork);
  EXPECT_EQ(ClassifyListen("127.example.com:7373"), ListenScope::kNetwork);
}

// Verifies the rules: network needs TLS + tokens or --insecure; tokens
// without TLS stay on localhost; loopback without tokens is fine.
TEST(ListenPolicyTest, Rules) {
  EXPECT_THAT(CheckListenPolicy("127.0.0.1:7373", {}), IsOk());
  EXPECT_THAT(CheckListenPolicy("127.0.0.2:7373", {}), IsOk());
  EXPECT_TRUE(
      CheckListenPolicy("0.0.0.0:7373", {.tls = true, .tokens = true}).ok());
  EXPECT_THAT(CheckListenPolicy("0.0.0.0:7373", {.insecure = true}), IsOk());
  EXPECT_THAT(CheckListenPolicy("127.0.0.1:7373", {.tokens = true}), IsOk());

  absl::Status bare = CheckListenPolicy("0.0.0.0:7373", {});
  EXPECT_EQ(bare.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(
      std::string(bare.message()),
      HasSubstr(
          "add --tls-cert and --tls-key and --token-file, or pass --insecure"));
  absl::Status tls_only = CheckListenPolicy("0.0.0.0:7373", {.tls = true});
  EXPECT_THAT(std::string(tls_only.message()),
              HasSubstr("add --token-file, or"));

  absl::Status clear_tokens =
      CheckListenPolicy("0.0.0.0:7373", {.tokens = true, .insecure = true});
  EXPECT_EQ(clear_tokens.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(clear_tokens.message()), HasSubstr("clear text"));
  EXPECT_EQ(CheckListenPolicy("127.0.0.2:7373", {.tokens = true}).code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace nw::auth
