// The rule file format (client/lib/rule_json.h) and the line reader that
// reads it plain or gzipped (client/lib/line_reader.h).
#include <zlib.h>

#include <fstream>
#include <string>

#include "client/lib/line_reader.h"
#include "client/lib/rule_json.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testutil/status_matchers.h"
#include "tests/testutil/temp_dir.h"

namespace nw::client {
namespace {

using ::nw::testing::IsOk;

using ::testing::HasSubstr;

// Verifies the bench's lines are read, "query" is accepted for "rule", and
// each mistake is named.
TEST(RuleJsonTest, ReadsBenchLinesAndNamesMistakes) {
  absl::StatusOr<newswatch::v1::WatchRule> rule = ParseRuleJson(
      R"({"id": "r1", "subscriber": "s1", "rule": "Knutson Albert"})");
  ASSERT_THAT(rule, IsOk());
  EXPECT_EQ(rule->id(), "r1");
  EXPECT_EQ(rule->subscriber(), "s1");
  EXPECT_EQ(rule->query(), "Knutson Albert");
  EXPECT_EQ(ParseRuleJson(R"({"query": "x", "label": "L"})")->label(), "L");
  EXPECT_THAT(ParseRuleJson(R"({"subscriber": "s"})").status().message(),
              HasSubstr("no \"rule\""));
  EXPECT_THAT(
      ParseRuleJson(R"({"rule": "x", "subscirber": "s"})").status().message(),
      HasSubstr("did you mean \"subscriber\"?"));
  EXPECT_THAT(ParseRuleJson(R"({"rule": 3})").status().message(),
              HasSubstr("\"rule\" must be a string"));
  EXPECT_THAT(ParseRuleJson("[1]").status().message(),
              HasSubstr("not a JSON object"));
  EXPECT_THAT(ParseRuleJson("{").status().message(), HasSubstr("not JSON"));
}

// Verifies a rule written by RuleToJson reads back the same.
TEST(RuleJsonTest, RoundTrips) {
  newswatch::v1::WatchRule rule;
  rule.set_id("r-x");
  rule.set_subscriber("desk");
  rule.set_query("\"South China Sea\" NEAR/10 territorial");
  rule.set_label("ünïcode \"quoted\"");
  absl::StatusOr<newswatch::v1::WatchRule> back =
      ParseRuleJson(RuleToJson(rule));
  ASSERT_THAT(back, IsOk());
  EXPECT_EQ(back->SerializeAsString(), rule.SerializeAsString());
}

// Verifies plain and gzipped files give the same lines, the last one
// without a newline included, and long lines whole.
TEST(LineReaderTest, ReadsPlainAndGzipAlike) {
  testing::TempDir dir;
  const std::string long_line(200000, 'x');
  const std::string text = "a\n\n" + long_line + "\nlast";
  std::ofstream(dir.path() + "/f.txt") << text;
  gzFile gz = gzopen((dir.path() + "/f.txt.gz").c_str(), "wb");
  gzwrite(gz, text.data(), static_cast<unsigned>(text.size()));
  gzclose(gz);
  for (const std::string name : {"/f.txt", "/f.txt.gz"}) {
    absl::StatusOr<std::unique_ptr<LineReader>> reader =
        LineReader::Open(dir.path() + name);
    ASSERT_THAT(reader, IsOk());
    std::vector<std::string> lines;
    std::string line;
    while (*(*reader)->Next(&line)) lines.push_back(line);
    EXPECT_EQ(lines, (std::vector<std::string>{"a", "", long_line, "last"}))
        << name;
  }
  EXPECT_EQ(LineReader::Open(dir.path() + "/missing").status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace nw::client
