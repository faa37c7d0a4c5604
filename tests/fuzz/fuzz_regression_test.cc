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

  // Fed violations, the invariant checks report each of them.
  using match::Field;
  using match::Highlight;
  EXPECT_EQ(
      CheckHighlights({{Field::kTitle, 0, 3}, {Field::kBody, 2, 5}}, 3, 5), "");
  EXPECT_NE(CheckHighlights({{Field::kTitle, 3, 3}}, 5, 5), "");  // empty
  EXPECT_NE(CheckHighlights({{Field::kBody, 2, 6}}, 5, 5), "");   // past end
  EXPECT_NE(
      CheckHighlights({{Field::kBody, 0, 1}, {Field::kTitle, 0, 1}}, 5, 5),
      "");  // body before title
  EXPECT_NE(CheckHighlights({{Field::kBody, 0, 1}, {Field::kBody, 0, 1}}, 5, 5),
            "");                           // duplicate
  const std::string text = "Zürich rain";  // "ü" is bytes 1-2
  const auto word = [](std::string term, uint32_t position, uint32_t begin,
                       uint32_t end) {
    text::Word w;
    w.term = std::move(term);
    w.position = position;
    w.begin = begin;
    w.end = end;
    return w;
  };
  EXPECT_EQ(CheckWords({word("zurich", 0, 0, 7), word("rain", 1, 8, 12)}, text),
            "");
  EXPECT_NE(CheckWords({word("", 0, 0, 7)}, text), "");       // empty term
  EXPECT_NE(CheckWords({word("rain", 1, 8, 12)}, text), "");  // position
  EXPECT_NE(CheckWords({word("z", 0, 0, 2)}, text), "");      // mid-"ü"
  EXPECT_NE(CheckWords({word("rain", 0, 8, 13)}, text), "");  // past end
  EXPECT_NE(CheckWords({word("zurich", 0, 0, 7), word("ich", 1, 4, 7)}, text),
            "");  // overlaps the previous word
  EXPECT_NE(CheckWords({word("\xff", 0, 0, 7)}, text), "");  // not UTF-8
}

}  // namespace
}  // namespace nw::fuzz
