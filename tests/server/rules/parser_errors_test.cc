// Rejected rules (spec §4) and the byte offset each error reports.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/rules/parser.h"

namespace nw::rules {
namespace {

using ::testing::HasSubstr;

// Offset of the error for `text`, or -1 if the rule is accepted.
int64_t ErrorAt(std::string_view text) {
  auto rule = ParseRule(text);
  if (rule.ok()) return -1;
  EXPECT_EQ(rule.status().code(), absl::StatusCode::kInvalidArgument);
  return RuleErrorOffset(rule.status()).value_or(-2);
}

TEST(ParserErrorsTest, OffsetIsAPayloadAndInTheMessage) {
  auto rule = ParseRule("Myanmar AND");
  ASSERT_FALSE(rule.ok());
  EXPECT_EQ(RuleErrorOffset(rule.status()), 11u);
  EXPECT_THAT(std::string(rule.status().message()), HasSubstr("byte 11"));
  EXPECT_EQ(RuleErrorOffset(absl::OkStatus()), std::nullopt);
  EXPECT_EQ(RuleErrorOffset(absl::InternalError("x")), std::nullopt);
}

TEST(ParserErrorsTest, EmptyRules) {
  EXPECT_EQ(ErrorAt(""), 0);
  EXPECT_EQ(ErrorAt("   "), 3);
}

TEST(ParserErrorsTest, Parentheses) {
  EXPECT_EQ(ErrorAt("(Myanmar AND sanctions"), 0);
  EXPECT_EQ(ErrorAt("Myanmar AND (sanctions OR (coup)"), 12);
  EXPECT_EQ(ErrorAt("Myanmar)"), 7);
  EXPECT_EQ(ErrorAt("Myanmar ()"), 9);
  EXPECT_EQ(ErrorAt("États-Unis OR ) x"), 15);
}

TEST(ParserErrorsTest, Quotes) {
  EXPECT_EQ(ErrorAt("Myanmar \"South China"), 8);
  EXPECT_EQ(ErrorAt("Myanmar \"\""), 8);
  EXPECT_EQ(ErrorAt("Myanmar \"   \""), 8);
  EXPECT_EQ(ErrorAt("\"a & b\""), 3);  // a phrase WORD without words
}

TEST(ParserErrorsTest, MissingOperands) {
  EXPECT_EQ(ErrorAt("Myanmar AND"), 11);
  EXPECT_EQ(ErrorAt("AND Myanmar"), 0);
  EXPECT_EQ(ErrorAt("Myanmar OR OR sanctions"), 11);
  EXPECT_EQ(ErrorAt("Myanmar NOT"), 11);
  EXPECT_EQ(ErrorAt("États-Unis AND"), 15);  // bytes, not characters
  EXPECT_EQ(ErrorAt("a OR"), 4);
  EXPECT_EQ(ErrorAt("(a OR) b"), 5);
}

TEST(ParserErrorsTest, DanglingMinusAndWordsWithoutWords) {
  EXPECT_EQ(ErrorAt("Myanmar - sanctions"), 8);
  EXPECT_EQ(ErrorAt("Myanmar -"), 8);
  EXPECT_EQ(ErrorAt("(a -)"), 3);
  EXPECT_EQ(ErrorAt("Myanmar & sanctions"), 8);
  EXPECT_EQ(ErrorAt("a —"), 2);
}

TEST(ParserErrorsTest, Prefixes) {
  EXPECT_EQ(ErrorAt("co*"), 0);
  EXPECT_EQ(ErrorAt("*ship"), 0);
  EXPECT_EQ(ErrorAt("sanc*ions"), 0);
  EXPECT_EQ(ErrorAt("non-inter*"), 0);
  EXPECT_EQ(ErrorAt("Myanmar *"), 8);
  EXPECT_EQ(ErrorAt("a sanction**"), 2);
  EXPECT_EQ(ErrorAt("\"a co*\""), 3);
}

TEST(ParserErrorsTest, Fields) {
  EXPECT_EQ(ErrorAt("author:smith"), 0);
  EXPECT_EQ(ErrorAt("Myanmar http://example.com"), 8);
  EXPECT_EQ(ErrorAt("title:(body:Myanmar)"), 7);
  EXPECT_EQ(ErrorAt("title:body:x"), 6);
  EXPECT_EQ(ErrorAt("source:(reuters OR nikkei)"), 7);
  EXPECT_EQ(ErrorAt("tag:pol*"), 4);
  EXPECT_EQ(ErrorAt("title: Myanmar"), 0);
  EXPECT_EQ(ErrorAt("a title:"), 2);
  EXPECT_EQ(ErrorAt("source: \"x\""), 0);  // the value must follow at once
  EXPECT_EQ(ErrorAt("a source:\"\""), 9);
  EXPECT_EQ(ErrorAt("\"http://example.com\""), -1);  // quoted: a phrase
  EXPECT_EQ(ErrorAt("10:30"), -1);  // NAME must start with a letter
}

TEST(ParserErrorsTest, Near) {
  EXPECT_EQ(ErrorAt("a NEAR/0 b"), 2);
  EXPECT_EQ(ErrorAt("a NEAR/101 b"), 2);
  // N's value decides, however many digits spell it.
  EXPECT_EQ(ErrorAt("a NEAR/000 b"), 2);
  EXPECT_EQ(ErrorAt("a NEAR/0101 b"), 2);
  EXPECT_EQ(ErrorAt("a NEAR/99999999999999999999 b"), 2);
  EXPECT_EQ(ErrorAt("a NEAR/007 b"), -1);
  EXPECT_EQ(ErrorAt("a NEAR/0100 b"), -1);
  EXPECT_EQ(ErrorAt("a NEAR/x b"), 2);
  EXPECT_EQ(ErrorAt("a NEAR/ b"), 2);
  EXPECT_EQ(ErrorAt("a NEAR/3 b NEAR/3 c"), 11);
  EXPECT_EQ(ErrorAt("(a AND b) NEAR/3 c"), 1);
  EXPECT_EQ(ErrorAt("c NEAR/3 (a OR b d)"), 15);
  EXPECT_EQ(ErrorAt("Myanmar NEAR/3"), 14);
  EXPECT_EQ(ErrorAt("NEAR/3 a"), 0);
  EXPECT_EQ(ErrorAt("a NEAR/3 NOT b"), 9);
  EXPECT_EQ(ErrorAt("a NEAR/3 -b"), 9);
  EXPECT_EQ(ErrorAt("source:x NEAR/3 b"), 0);
  EXPECT_EQ(ErrorAt("(a NEAR/2 b) NEAR/3 c"), 1);
}

TEST(ParserErrorsTest, NegationOnly) {
  EXPECT_EQ(ErrorAt("NOT Myanmar"), 0);
  EXPECT_EQ(ErrorAt("-Myanmar -Burma"), 0);
  EXPECT_EQ(ErrorAt("Myanmar OR NOT Burma"), 0);
  EXPECT_EQ(ErrorAt("x (a OR NOT b)"), -1);
  EXPECT_EQ(ErrorAt("NOT (NOT a)"), -1);
  EXPECT_EQ(ErrorAt("-source:reuters"), 0);
  EXPECT_EQ(ErrorAt("title:(NOT a)"), 0);
}

TEST(ParserErrorsTest, Limits) {
  EXPECT_EQ(ErrorAt("a" + std::string(4096, ' ')), 0);
  std::string deep = std::string(33, '(') + "a" + std::string(33, ')');
  EXPECT_EQ(ErrorAt(deep), 32);
  std::string many = "w0";
  for (int i = 1; i <= 256; ++i) many += " w" + std::to_string(i);
  EXPECT_EQ(ErrorAt(many), 1170);
  // Phrase words count one by one, at their own offsets.
  std::string phrase = "\"";
  for (int i = 0; i < 257; ++i) phrase += "w ";
  phrase += "\"";
  EXPECT_EQ(ErrorAt(phrase), 1 + 2 * 256);
  // A WORD that analyzes to several words counts them all.
  std::string split = "w0";
  for (int i = 1; i < 254; ++i) split += " w" + std::to_string(i);
  EXPECT_EQ(ErrorAt(split + " a-b"), -1);
  EXPECT_EQ(ErrorAt(split + " a-b-c"), static_cast<int64_t>(split.size() + 1));
}

TEST(ParserErrorsTest, InvalidUtf8) {
  EXPECT_EQ(ErrorAt(std::string("ab \xC3", 4)), 3);
}

}  // namespace
}  // namespace nw::rules
