// File: tests/fuzz/fuzz_regression_test.cc
//
// Replays every seed corpus file (corpus/) and every saved crasher
// (regressions/) through the fuzzers' invariant checks (fuzz_checks.h), in the
// normal build: each file is checked both as a rule text and as an article
// field.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/fuzz/fuzz_checks.h"

namespace nw::fuzz {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> FilesUnder(const fs::path& dir) {
  std::vector<fs::path> files;
  if (!fs::exists(dir)) return files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().filename() != ".gitkeep") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void CheckAll(const fs::path& dir, size_t min_files) {
  const std::vector<fs::path> files = FilesUnder(dir);
  EXPECT_GE(files.size(), min_files) << dir;
  for (const fs::path& file : files) {
    const std::string data = ReadFile(file);
    EXPECT_EQ(CheckRuleInput(data), "") << file;
    EXPECT_EQ(CheckAnalyzerInput(data), "") << file;
  }
}

TEST(FuzzRegressionTest, SeedCorpusRules) {
  CheckAll(fs::path(NW_FUZZ_DIR) / "corpus" / "rules", 100);
}

TEST(FuzzRegressionTest, SeedCorpusArticles) {
  CheckAll(fs::path(NW_FUZZ_DIR) / "corpus" / "analyzer", 10);
}

TEST(FuzzRegressionTest, SavedCrashers) {
  CheckAll(fs::path(NW_FUZZ_DIR) / "regressions", 0);
}

TEST(FuzzRegressionTest, ChecksCatchViolations) {
  // The checks accept valid and invalid rules alike, and skip invalid UTF-8
  // text.
  EXPECT_EQ(CheckRuleInput("Myanmar OR burma"), "");
  EXPECT_EQ(CheckRuleInput("(a AND"), "");
  EXPECT_EQ(CheckRuleInput("\xff\xfe"), "");
  EXPECT_EQ(CheckAnalyzerInput("\xc3"), "");
  EXPECT_FALSE(IsValidUtf8("\xc3"));
  EXPECT_TRUE(IsValidUtf8("Zürich"));
}

}  // namespace
}  // namespace nw::fuzz
