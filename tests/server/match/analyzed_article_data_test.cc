// Every article of the shared data, analyzed as a whole (AnalyzedArticle), has
// exactly the words of text::AnalyzeField (which tests/server/text compares
// with the ICU reference), and a term dictionary consistent with them.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "server/match/analyzed_article.h"
#include "server/text/analyzer.h"
#include "tests/testutil/shared_data.h"

namespace nw::match {
namespace {

// "" when the article agrees with AnalyzeField, else the first difference.
std::string Check(const std::string& title, const std::string& body) {
  const AnalyzedArticle a =
      AnalyzedArticle::Analyze({.title = title, .body = body});
  std::map<std::string, uint32_t> ids;  // term -> id, from the words
  for (Field field : {Field::kTitle, Field::kBody}) {
    const std::vector<text::Word> want =
        text::AnalyzeField(field == Field::kTitle ? title : body);
    const auto words = a.Words(field);
    const std::vector<uint32_t>& word_ids = a.WordTermIds(field);
    if (words.size() != want.size() || word_ids.size() != want.size())
      return "word count";
    std::map<uint32_t, std::vector<uint32_t>> positions;  // by term id
    for (size_t i = 0; i < want.size(); ++i) {
      if (words[i].term != want[i].term || words[i].begin != want[i].begin ||
          words[i].end != want[i].end) {
        return "word " + std::to_string(i) + " <" + want[i].term + ">";
      }
      const uint32_t id = word_ids[i];
      if (id >= a.TermCount() || a.Term(id) != want[i].term)
        return "term id of <" + want[i].term + ">";
      if (auto [it, inserted] = ids.emplace(want[i].term, id);
          !inserted && it->second != id) {
        return "two ids for <" + want[i].term + ">";
      }
      positions[id].push_back(static_cast<uint32_t>(i));
    }
    for (const auto& [id, want_positions] : positions) {
      const auto got = a.TermPositions(id, field);
      if (std::vector<uint32_t>(got.begin(), got.end()) != want_positions)
        return "positions of <" + std::string(a.Term(id)) + ">";
    }
  }
  if (ids.size() != a.TermCount()) return "term count";
  for (const auto& [term, id] : ids) {
    if (a.FindTerm(term) != id) return "FindTerm <" + term + ">";
    if (a.FindTerm(term + "#") != AnalyzedArticle::kNoTerm)
      return "FindTerm <" + term + "#>";
  }
  return "";
}

TEST(AnalyzedArticleDataTest, EverySharedArticle) {
  const std::filesystem::path dir =
      nw::testing::SharedDir(NW_SHARED_DIR_DEFAULT) + "/data";
  size_t articles = 0;
  int failures = 0;
  const bool found = nw::testing::ForEachJsonLine(
      dir, [&](const std::filesystem::path& file, const nlohmann::json& j) {
        auto field = [&](const char* key) {
          return j.contains(key) && j[key].is_string()
                     ? j[key].get<std::string>()
                     : std::string();
        };
        ++articles;
        if (std::string d = Check(field("title"), field("body"));
            !d.empty() && ++failures <= 5) {
          ADD_FAILURE() << file << " article " << articles << ": " << d;
        }
      });
  if (!found) GTEST_SKIP() << "no shared data at " << dir;
  EXPECT_EQ(failures, 0);
  EXPECT_GT(articles, 20000u);
}

}  // namespace
}  // namespace nw::match
