// ApplyConfigFile: TOML keys set the flags of the same name; anything wrong
// is reported with file:line:col and sets nothing.
#include "server/config/config_file.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testutil/status_matchers.h"

ABSL_FLAG(std::string, cfg_listen, "127.0.0.1:7373", "test flag");
ABSL_FLAG(int64_t, cfg_max_streams, 20000, "test flag");
ABSL_FLAG(bool, cfg_sync, true, "test flag");
ABSL_FLAG(absl::Duration, cfg_heartbeat, absl::Seconds(15), "test flag");
ABSL_FLAG(int, cfg_not_a_setting, 1, "a flag the file may not set");

namespace nw::config {
namespace {

using ::nw::testing::IsOk;

using ::testing::HasSubstr;

const absl::flat_hash_set<std::string> kSettings = {
    "cfg_listen", "cfg_max_streams", "cfg_sync", "cfg_heartbeat"};

class ConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::SetFlag(&FLAGS_cfg_listen, "127.0.0.1:7373");
    absl::SetFlag(&FLAGS_cfg_max_streams, 20000);
    absl::SetFlag(&FLAGS_cfg_sync, true);
    absl::SetFlag(&FLAGS_cfg_heartbeat, absl::Seconds(15));
  }
  std::string Write(const std::string& text) {
    // One file per test and process: ctest runs these tests in parallel.
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    const std::string path = ::testing::TempDir() + "/config_file_test." +
                             info->name() + "." + std::to_string(::getpid()) +
                             "." + std::to_string(written_.size()) + ".toml";
    written_.push_back(path);
    std::ofstream(path) << text;
    return path;
  }
  void TearDown() override {
    for (const std::string& path : written_) std::remove(path.c_str());
  }
  void ExpectDefaults() {
    EXPECT_EQ(absl::GetFlag(FLAGS_cfg_listen), "127.0.0.1:7373");
    EXPECT_EQ(absl::GetFlag(FLAGS_cfg_max_streams), 20000);
    EXPECT_TRUE(absl::GetFlag(FLAGS_cfg_sync));
    EXPECT_EQ(absl::GetFlag(FLAGS_cfg_heartbeat), absl::Seconds(15));
  }

 private:
  std::vector<std::string> written_;
};

TEST_F(ConfigFileTest, SetsStringIntegerBooleanAndDurationSettings) {
  const std::string path = Write(
      "# comment\n"
      "cfg_listen = \"0.0.0.0:9000\"\n"
      "cfg_max_streams = 12\n"
      "cfg_sync = false\n"
      "cfg_heartbeat = \"500ms\"\n");
  ASSERT_THAT(ApplyConfigFile(path, kSettings), IsOk());
  EXPECT_EQ(absl::GetFlag(FLAGS_cfg_listen), "0.0.0.0:9000");
  EXPECT_EQ(absl::GetFlag(FLAGS_cfg_max_streams), 12);
  EXPECT_FALSE(absl::GetFlag(FLAGS_cfg_sync));
  EXPECT_EQ(absl::GetFlag(FLAGS_cfg_heartbeat), absl::Milliseconds(500));
}

TEST_F(ConfigFileTest, UnknownKeyNamesLineAndClosestSettingAndSetsNothing) {
  const std::string path =
      Write("cfg_listen = \"0.0.0.0:9000\"\ncfg_max_stream = 3\n");
  absl::Status s = ApplyConfigFile(path, kSettings);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(),
              HasSubstr(path + ":2:1: unknown setting 'cfg_max_stream'"));
  EXPECT_THAT(s.message(), HasSubstr("did you mean 'cfg_max_streams'"));
  ExpectDefaults();
}

TEST_F(ConfigFileTest, FlagsOutsideTheSettingsAreUnknown) {
  absl::Status s = ApplyConfigFile(Write("cfg_not_a_setting = 2\n"), kSettings);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(absl::GetFlag(FLAGS_cfg_not_a_setting), 1);
}

TEST_F(ConfigFileTest, RejectedValueNamesTheSettingAndRollsBackEarlierOnes) {
  const std::string path =
      Write("cfg_listen = \"0.0.0.0:9000\"\ncfg_max_streams = \"many\"\n");
  absl::Status s = ApplyConfigFile(path, kSettings);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr(":2:"));
  EXPECT_THAT(s.message(), HasSubstr("cfg_max_streams = \"many\""));
  ExpectDefaults();
}

TEST_F(ConfigFileTest, BadDurationIsRejected) {
  absl::Status s =
      ApplyConfigFile(Write("cfg_heartbeat = \"soon\"\n"), kSettings);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("cfg_heartbeat"));
  ExpectDefaults();
}

TEST_F(ConfigFileTest, SyntaxErrorHasLineAndColumn) {
  const std::string path = Write("cfg_sync = true\ncfg_max_streams = \n");
  absl::Status s = ApplyConfigFile(path, kSettings);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr(path + ":2:"));
  EXPECT_THAT(s.message(), HasSubstr("TOML syntax"));
  ExpectDefaults();
}

TEST_F(ConfigFileTest, TablesAndArraysAreRejected) {
  EXPECT_EQ(ApplyConfigFile(Write("[tls]\ncert = \"a\"\n"), kSettings).code(),
            absl::StatusCode::kInvalidArgument);
  absl::Status s =
      ApplyConfigFile(Write("cfg_listen = [\"a\", \"b\"]\n"), kSettings);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("no tables or arrays"));
  ExpectDefaults();
}

TEST_F(ConfigFileTest, MissingFileIsNotFound) {
  absl::Status s =
      ApplyConfigFile(::testing::TempDir() + "/no-such.toml", kSettings);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(s.message(), HasSubstr("no-such.toml"));
}

TEST(FindFlagValueTest, BothSpellingsAndLastWins) {
  std::vector<std::string> args = {"newswatchd", "--config", "a.toml",
                                   "--listen=x", "--config=b.toml"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  EXPECT_EQ(FindFlagValue(static_cast<int>(argv.size()), argv.data(), "config"),
            "b.toml");
  EXPECT_EQ(FindFlagValue(3, argv.data(), "config"), "a.toml");
  EXPECT_EQ(FindFlagValue(3, argv.data(), "data_dir"), "");
}

}  // namespace
}  // namespace nw::config
