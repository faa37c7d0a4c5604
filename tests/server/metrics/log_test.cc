// server/base/log.h: JSON escaping, level parsing, and lines written to
// stderr (captured through a file) at the configured level and format.
#include "server/base/log.h"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testutil/daemon_process.h"

namespace nw::base {
namespace {

std::string Json(absl::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

// Verifies control characters, quotes and backslashes are escaped and
// invalid UTF-8 becomes U+FFFD, so a strict parser reads a string back.
TEST(LogTest, JsonStringsAlwaysParse) {
  EXPECT_EQ(Json("a\"b\\c\nd\te\x01"), R"("a\"b\\c\nd\te\u0001")");
  EXPECT_EQ(
      Json("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"),
      "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"");  // valid UTF-8 kept
  for (absl::string_view bad :
       {absl::string_view("\xC3"), absl::string_view("\xC0\xAF"),
        absl::string_view("\xED\xA0\x80"), absl::string_view("\xF5\x80"),
        absl::string_view("x\xFFy")}) {
    const std::string encoded = Json(bad);
    nlohmann::json j = nlohmann::json::parse(encoded, nullptr, false);
    ASSERT_TRUE(j.is_string()) << encoded;
    EXPECT_NE(j.get<std::string>().find("\xEF\xBF\xBD"), std::string::npos)
        << encoded;
  }
}

// Verifies the accepted level and format names.
TEST(LogTest, ParsesLevelsAndFormats) {
  EXPECT_EQ(ParseLogLevel("debug").value(), LogLevel::kDebug);
  EXPECT_EQ(ParseLogLevel("WARNING").value(), LogLevel::kWarning);
  EXPECT_EQ(ParseLogLevel("warn").value(), LogLevel::kWarning);
  EXPECT_FALSE(ParseLogLevel("trace").ok());
  EXPECT_EQ(ParseLogFormat("json").value(), LogFormat::kJson);
  EXPECT_FALSE(ParseLogFormat("JSON Lines").ok());
}

// Verifies a JSON line at or above the level carries ts, level, component,
// msg and typed fields; a line below the level is dropped.
TEST(LogTest, WritesJsonLinesAtOrAboveTheLevel) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/stderr";
  const int saved = dup(STDERR_FILENO);
  const int file = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(file, 0);
  dup2(file, STDERR_FILENO);
  ConfigureLogging(LogLevel::kInfo, LogFormat::kJson);
  EXPECT_FALSE(LogEnabled(LogLevel::kDebug));
  LogDebug("test", "dropped");
  LogWarning("test", "two\nlines \"quoted\"",
             {{"n", 3}, {"ok", true}, {"s", "x y"}});
  ConfigureLogging(LogLevel::kInfo, LogFormat::kText);
  dup2(saved, STDERR_FILENO);
  close(saved);
  close(file);

  std::ifstream in(path);
  std::stringstream all;
  all << in.rdbuf();
  std::istringstream lines(all.str());
  std::string line;
  ASSERT_TRUE(std::getline(lines, line)) << all.str();
  nlohmann::json j = nlohmann::json::parse(line);
  EXPECT_EQ(j["level"], "warning");
  EXPECT_EQ(j["component"], "test");
  EXPECT_EQ(j["msg"], "two\nlines \"quoted\"");
  EXPECT_EQ(j["n"], 3);
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["s"], "x y");
  EXPECT_TRUE(j["ts"].get<std::string>().ends_with("Z"));
  EXPECT_FALSE(std::getline(lines, line)) << "unexpected second line: " << line;
}

}  // namespace
}  // namespace nw::base
