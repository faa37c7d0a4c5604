// End to end: newswatchd's log on stderr, as JSON Lines, filtered by level.
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "server/base/read_file.h"
#include "tests/testutil/daemon_process.h"
#include "tests/testutil/e2e_client.h"
#include "tests/testutil/status_matchers.h"

namespace nw {
namespace {

using ::nw::testing::IsOk;

using ::testing::HasSubstr;
namespace v1 = ::newswatch::v1;

// The file's text; "" when it cannot be read (the assertions then say why).
std::string ReadFile(const std::string& path) {
  return base::ReadWholeFile(path, "file").value_or("");
}

// Every line of the log parsed; a line that is not a JSON object with
// string ts (RFC 3339, UTC), level, component and msg fails the test.
std::vector<nlohmann::json> JsonLines(const std::string& log) {
  static const std::regex kRfc3339(
      R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z)");
  std::vector<nlohmann::json> lines;
  std::istringstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    nlohmann::json j =
        nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    EXPECT_TRUE(j.is_object()) << "not a JSON object: " << line;
    if (!j.is_object()) continue;
    for (const char* key : {"ts", "level", "component", "msg"}) {
      EXPECT_TRUE(j.contains(key) && j[key].is_string())
          << key << " missing: " << line;
    }
    if (!j.contains("ts") || !j["ts"].is_string()) continue;
    EXPECT_TRUE(std::regex_match(j["ts"].get<std::string>(), kRfc3339)) << line;
    lines.push_back(std::move(j));
  }
  return lines;
}

class LoggingE2eTest : public ::testing::Test {
 protected:
  absl::StatusOr<std::unique_ptr<testing::DaemonProcess>> Start(
      const std::vector<std::string>& flags) {
    return testing::DaemonProcess::Start(testing::DaemonBinary(),
                                         data_dir_.path(), flags,
                                         {.stderr_path = log_path_});
  }
  testing::TempDir data_dir_;
  testing::TempDir log_dir_;
  const std::string log_path_ = log_dir_.path() + "/newswatchd.log";
};

// Verifies --log-format=json --log-level=debug: every line is a JSON object;
// start, stop and a failed call (with quotes and a newline in its message,
// escaped) are logged; successful calls are not.
TEST_F(LoggingE2eTest, JsonLinesAtDebugParseAndCarryFields) {
  auto daemon = Start({"--log-format=json", "--log-level=debug"});
  ASSERT_THAT(daemon, IsOk()) << ReadFile(log_path_);
  testing::Client client((*daemon)->Channel());
  v1::WatchRule rule;
  ASSERT_TRUE(client.CreateRule("analyst", "pipeline", &rule).ok());
  const grpc::Status bad =
      client.CreateRule("analyst", "\"unclosed AND (x", &rule);
  ASSERT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_EQ((*daemon)->Stop().value_or(-1), 0);

  const std::vector<nlohmann::json> lines = JsonLines(ReadFile(log_path_));
  bool started = false, stopped = false, failed_call = false;
  for (const nlohmann::json& j : lines) {
    started |= j["msg"] == "started" && j["level"] == "info" &&
               j["component"] == "daemon" && j["port"] == (*daemon)->port();
    stopped |= j["msg"] == "stopped";
    if (j["msg"] == "call failed") {
      EXPECT_EQ(j["level"], "debug");  // the client's mistake
      EXPECT_EQ(j["component"], "rpc");
      EXPECT_EQ(j["method"], "/newswatch.v1.RuleService/CreateRule");
      EXPECT_EQ(j["code"], "INVALID_ARGUMENT");
      EXPECT_EQ(j["error"],
                bad.error_message());  // escaped, then read back intact
      failed_call = true;
    }
  }
  EXPECT_TRUE(started);
  EXPECT_TRUE(stopped);
  EXPECT_TRUE(failed_call);
}

// Verifies --log-level=warning drops info lines and keeps warnings: a
// Subscribe refused at --max-streams=0 (RESOURCE_EXHAUSTED) is a warning.
TEST_F(LoggingE2eTest, WarningLevelKeepsOnlyWarningsAndErrors) {
  auto daemon =
      Start({"--log-format=json", "--log-level=warning", "--max-streams=0"});
  ASSERT_THAT(daemon, IsOk()) << ReadFile(log_path_);
  testing::Client client((*daemon)->Channel());
  grpc::ClientContext context;
  v1::SubscribeRequest request;
  request.set_subscriber("analyst");
  auto stream = client.alerts().Subscribe(&context, request);
  v1::SubscribeResponse message;
  EXPECT_FALSE(stream->Read(&message));
  EXPECT_EQ(stream->Finish().error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  ASSERT_EQ((*daemon)->Stop().value_or(-1), 0);

  const std::vector<nlohmann::json> lines = JsonLines(ReadFile(log_path_));
  bool refused = false;
  for (const nlohmann::json& j : lines) {
    EXPECT_TRUE(j["level"] == "warning" || j["level"] == "error") << j.dump();
    refused |= j["msg"] == "call failed" && j["level"] == "warning" &&
               j["code"] == "RESOURCE_EXHAUSTED" &&
               j["method"] == "/newswatch.v1.AlertService/Subscribe";
  }
  EXPECT_TRUE(refused) << ReadFile(log_path_);
}

// Verifies text lines: "<RFC 3339> <level> <component>: <msg> key=value".
TEST_F(LoggingE2eTest, TextLinesByDefault) {
  auto daemon = Start({});
  ASSERT_THAT(daemon, IsOk()) << ReadFile(log_path_);
  ASSERT_EQ((*daemon)->Stop().value_or(-1), 0);
  const std::string log = ReadFile(log_path_);
  EXPECT_TRUE(std::regex_search(
      log,
      std::regex(
          R"(\n?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z info daemon: started listen=127\.0\.0\.1:0 port=\d+ )")))
      << log;
}

// Verifies a bad --log-level or --log-format stops the daemon at start with
// a message naming the flag.
TEST_F(LoggingE2eTest, BadLevelOrFormatRefusesToStart) {
  EXPECT_FALSE(Start({"--log-level=verbose"}).ok());
  EXPECT_FALSE(Start({"--log-format=xml"}).ok());
  const std::string log = ReadFile(log_path_);
  EXPECT_THAT(
      log,
      HasSubstr(
          "cannot start: INVALID_ARGUMENT: --log-level: log level 'verbose': "
          "want debug, info, warning or error"));
  EXPECT_THAT(
      log,
      HasSubstr(
          "cannot start: INVALID_ARGUMENT: --log-format: log format 'xml': "
          "want text or json"));
}

}  // namespace
}  // namespace nw
