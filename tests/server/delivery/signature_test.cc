// The Newswatch-Signature header: HMAC-SHA256 over "<t>.<body>".
#include "server/delivery/signature.h"

#include "gtest/gtest.h"

namespace nw::delivery {
namespace {

// Verifies the signature against one computed independently with
//   printf '%s' '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec
TEST(SignatureTest, MatchesOpenssl) {
  EXPECT_EQ(SignatureHex("whsec", 1700000000, R"({"a":1})"),
            "8ad37ba156048ae0e0a5533c75cdf26fee88b07f93cb57ee4c80adb053012032");
  EXPECT_EQ(SignatureHeaderValue("whsec", 1700000000, R"({"a":1})"),
            "t=1700000000,v1="
            "8ad37ba156048ae0e0a5533c75cdf26fee88b07f93cb57ee4c80adb053012032");
}

// Verifies the timestamp is signed: the same body at another time, or with
// another secret, signs differently.
TEST(SignatureTest, TimestampAndSecretMatter) {
  const std::string a = SignatureHex("s", 1, "body");
  EXPECT_NE(a, SignatureHex("s", 2, "body"));
  EXPECT_NE(a, SignatureHex("t", 1, "body"));
}

// Verifies generated secrets are 64 hex characters and differ.
TEST(SignatureTest, NewSecrets) {
  absl::StatusOr<std::string> a = NewWebhookSecret();
  absl::StatusOr<std::string> b = NewWebhookSecret();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 64u);
  EXPECT_NE(*a, *b);
}

}  // namespace
}  // namespace nw::delivery
