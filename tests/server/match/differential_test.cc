// Differential test: rules-1k x the first 2,000 Reuters articles must match
// exactly the sets computed by the spec's reference implementation
// (/work/shared/bench/README.md). Skipped when the shared files are absent; the
// location can be overridden with NW_SHARED_DIR.
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "server/match/analyzed_article.h"
#include "server/match/evaluator.h"
#include "server/rules/parser.h"
#include "tests/testutil/status_matchers.h"

namespace nw::match {
namespace {

using ::nw::testing::IsOk;

using json = nlohmann::json;

std::string SharedDir() {
  const char* dir = std::getenv("NW_SHARED_DIR");
  return dir != nullptr ? dir : "/work/shared";
}

std::vector<json> ReadLines(const std::string& path, size_t max_lines) {
  std::vector<json> out;
  std::ifstream in(path);
  std::string line;
  while (out.size() < max_lines && std::getline(in, line)) {
    out.push_back(json::parse(line, nullptr, false));
  }
  return out;
}

TEST(DifferentialTest, Rules1kOnReuters2kMatchReference) {
  const std::string dir = SharedDir();
  std::vector<json> rules = ReadLines(dir + "/bench/rules-1k.jsonl", 1000);
  std::vector<json> expected =
      ReadLines(dir + "/bench/expected-rules-1k-reuters-2k.jsonl", 2000);
  std::vector<json> articles =
      ReadLines(dir + "/data/reuters21578.jsonl", 2000);
  if (rules.size() != 1000 || expected.size() != 2000 ||
      articles.size() != 2000) {
    GTEST_SKIP() << "shared benchmark files not found under " << dir;
  }
  std::vector<std::shared_ptr<const rules::CompiledRule>> compiled;
  for (const json& r : rules) {
    auto rule = rules::ParseRule(r["rule"].get<std::string>());
    ASSERT_THAT(rule, IsOk()) << r["rule"] << ": " << rule.status();
    compiled.push_back(*rule);
  }
  int mismatches = 0;
  for (size_t i = 0; i < articles.size(); ++i) {
    const json& a = articles[i];
    ASSERT_EQ(a["id"], expected[i]["article_id"]);
    ArticleText text;
    text.title = a["title"].get_ref<const std::string&>();
    text.body = a["body"].get_ref<const std::string&>();
    text.source = a["source"].get_ref<const std::string&>();
    text.lang = a["lang"].get_ref<const std::string&>();
    for (const char* key : {"topics", "places"}) {
      for (const json& t : a[key])
        text.tags.push_back(t.get_ref<const std::string&>());
    }
    AnalyzedArticle analyzed = AnalyzedArticle::Analyze(text);
    std::vector<std::string> got;
    for (size_t r = 0; r < compiled.size(); ++r) {
      if (Evaluate(*compiled[r], analyzed).has_value()) {
        got.push_back(rules[r]["id"].get<std::string>());
      }
    }
    const auto want = expected[i]["rules"].get<std::vector<std::string>>();
    if (got != want && ++mismatches <= 10) {
      ADD_FAILURE() << a["id"] << ": got " << json(got) << ", want "
                    << json(want);
    }
  }
  EXPECT_EQ(mismatches, 0);
}

}  // namespace
}  // namespace nw::match
