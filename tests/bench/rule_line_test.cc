// The bench's rule-line reader (bench/rule_line.h) reads what a JSON parser
// reads, and declines (for the full parser) whatever it does not handle.
#include "bench/rule_line.h"

#include <string>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace nw::bench {
namespace {

TEST(RuleLineTest, ReadsWhatJsonReads) {
  for (const std::string line : {
           R"({"id": "r1", "subscriber": "s1", "rule": "Knutson Albert"})",
           R"({"id":"r2","subscriber":"s1","rule":"\"Immune Deficiency\""})",
           R"(  { "rule" : "a\\b\/c\n\t\r\b\f" , "id" : "x" }  )",
           R"({"rule": "caf\u00e9 \u4e2d \ud83d\ude00 \u0041", "id": "u"})",
           R"({"rule": "r", "label": "skipped", "subscriber": "s"})",
           R"({"rule": "first", "rule": "last"})",
           "{\"rule\": \"\xc3\xa9t\xc3\xa9\"}",
       }) {
    RuleLine got;
    ASSERT_TRUE(ParseRuleLine(line, &got)) << line;
    const nlohmann::json want = nlohmann::json::parse(line);
    EXPECT_EQ(got.rule, want["rule"].get<std::string>()) << line;
    EXPECT_EQ(got.id, want.value("id", "")) << line;
    EXPECT_EQ(got.subscriber, want.value("subscriber", "")) << line;
  }
}

TEST(RuleLineTest, DeclinesWhatItDoesNotRead) {
  for (const std::string line : {
           R"({"id": 1, "rule": "a"})",     // a number
           R"({"rule": "a", "tags": []})",  // an array
           R"({"rule": "a"} x)",            // trailing text
           R"({"rule": "a")",               // unclosed
           R"({"rule": "a\q"})",            // bad escape
           R"({"rule": "\ud83d"})",         // unpaired surrogate
           R"({"rule": "\u12"})",           // short \u
           "{\"rule\": \"a\tb\"}",          // raw control character
           R"(["rule", "a"])",              // not an object
           "",
       }) {
    RuleLine got;
    EXPECT_FALSE(ParseRuleLine(line, &got)) << line;
  }
}

}  // namespace
}  // namespace nw::bench
