// Verifies the index against the reference implementation's results: rules-1k
// over the first 2,000 Reuters articles must give exactly
// expected-rules-1k-reuters-2k.jsonl (/work/shared/bench/README.md). The shared
// folder is NW_SHARED_DIR if set, else the one beside the checkout; the test
// skips when the files are absent.
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "server/index/rule_registry.h"
#include "tests/server/index/test_rules.h"

namespace nw::index {
namespace {

using json = nlohmann::json;

std::string SharedDir() {
  const char* dir = std::getenv("NW_SHARED_DIR");
  return dir != nullptr ? dir : NW_SHARED_DIR_DEFAULT;
}

std::vector<json> ReadLines(const std::string& path, size_t max_lines) {
  std::vector<json> out;
  std::ifstream in(path);
  std::string line;
  while (out.size() < max_lines && std::getline(in, line))
    out.push_back(json::parse(line));
  return out;
}

TEST(ReferenceTest, Rules1kOnReuters2kMatchExpected) {
  const std::string dir = SharedDir();
  const std::vector<json> rules =
      ReadLines(dir + "/bench/rules-1k.jsonl", 1000);
  const std::vector<json> expected =
      ReadLines(dir + "/bench/expected-rules-1k-reuters-2k.jsonl", 2000);
  const std::vector<json> articles =
      ReadLines(dir + "/data/reuters21578.jsonl", 2000);
  if (rules.size() != 1000 || expected.size() != 2000 ||
      articles.size() != 2000) {
    GTEST_SKIP() << "shared benchmark files not found under " << dir
                 << " (set NW_SHARED_DIR)";
  }
  // Half the rules in the base, half added one by one (delta, merges), so both
  // paths are checked against the reference.
  RuleRegistry registry({.max_delta = 128, .background_merge = false});
  std::vector<std::shared_ptr<const IndexedRule>> first_half;
  for (size_t i = 0; i < rules.size(); ++i) {
    auto rule = testing::MakeRule(rules[i]["id"], rules[i]["subscriber"],
                                  rules[i]["rule"]);
    ASSERT_NE(rule, nullptr) << rules[i]["rule"];
    if (i < 500) {
      first_half.push_back(rule);
      if (i == 499) registry.Reset(first_half);
    } else {
      registry.Upsert(rule);
    }
  }
  const auto snapshot = registry.Current();
  ASSERT_EQ(snapshot->size(), 1000u);
  int mismatches = 0;
  uint64_t candidates = 0;
  for (size_t i = 0; i < articles.size(); ++i) {
    const json& a = articles[i];
    ASSERT_EQ(a["id"], expected[i]["article_id"]);
    testing::TestArticle article{
        a["title"], a["body"], a["source"], a["lang"], {}};
    for (const char* key : {"topics", "places"}) {
      for (const json& t : a[key]) article.tags.push_back(t);
    }
    const MatchResult result = snapshot->MatchWithStats(article.Analyze());
    candidates += result.stats.candidates;
    std::vector<std::string> got = testing::Ids(result.hits);
    // The expected file orders by rule number (r2 before r10).
    std::sort(got.begin(), got.end(),
              [](const std::string& x, const std::string& y) {
                return std::stoi(x.substr(1)) < std::stoi(y.substr(1));
              });
    const auto want = expected[i]["rules"].get<std::vector<std::string>>();
    if (got != want && ++mismatches <= 10) {
      ADD_FAILURE() << a["id"] << ": got " << json(got) << ", want "
                    << json(want);
    }
  }
  EXPECT_EQ(mismatches, 0);
  RecordProperty("candidates_per_article",
                 std::to_string(candidates / articles.size()));
}

}  // namespace
}  // namespace nw::index
