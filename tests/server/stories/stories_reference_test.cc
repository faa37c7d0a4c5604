// Verifies `newswatch-match --stories` (the daemon's StoryWindow) against the
// exact reference results of stories.md: recall >= 0.97 of the reference
// near-duplicates, precision >= 0.99 (a flag is right when the exact
// similarity of the article and its duplicate_of is >= 0.7), story ids
// consistent, and our shingles giving the reference's Jaccard values. Runs
// on the whole Reuters and BBC sets from ../shared when present (CI has it),
// and always on the committed Reuters subset (tests/data/stories/).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "server/stories/shingles.h"

namespace nw::stories {
namespace {

using json = nlohmann::json;

std::vector<json> ReadJsonLines(const std::string& path) {
  std::vector<json> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(json::parse(line));
  }
  return out;
}

// stdout of newswatch-match --stories `articles`, one JSON object per line.
std::vector<json> RunTool(const std::string& articles) {
  const std::string cmd =
      std::string("'") + NW_MATCH_BINARY + "' --stories '" + articles + "'";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  std::vector<json> out;
  if (!pipe) return out;
  std::string text;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe.get())) > 0) text.append(buf, n);
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out.push_back(json::parse(text.substr(start, end - start)));
    start = end + 1;
  }
  return out;
}

void CheckAgainstReference(const std::string& articles_path,
                           const std::string& reference_path,
                           size_t expected_references) {
  const std::vector<json> articles = ReadJsonLines(articles_path);
  const std::vector<json> reference = ReadJsonLines(reference_path);
  ASSERT_EQ(reference.size(), expected_references);
  const std::vector<json> rows = RunTool(articles_path);
  ASSERT_EQ(rows.size(), articles.size()) << "one line per article";

  absl::flat_hash_map<std::string, size_t> index;  // id -> file position
  for (size_t i = 0; i < articles.size(); ++i)
    index[articles[i]["id"].get<std::string>()] = i;
  auto shingles = [&](const std::string& id) {
    return ShinglesOfBody(articles[index.at(id)]["body"].get<std::string>());
  };

  // File order; story ids: own id, or the original's story.
  absl::flat_hash_map<std::string, std::string> story_of;
  absl::flat_hash_set<std::string> flagged;
  size_t right = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const json& r = rows[i];
    const std::string id = r["article_id"].get<std::string>();
    ASSERT_EQ(id, articles[i]["id"].get<std::string>());
    const std::string story = r["story_id"].get<std::string>();
    if (r["duplicate_of"].is_null()) {
      EXPECT_EQ(story, id);
    } else {
      const std::string original = r["duplicate_of"].get<std::string>();
      ASSERT_TRUE(story_of.contains(original))
          << id << ": original not earlier";
      EXPECT_EQ(story, story_of[original]) << id;
      flagged.insert(id);
      if (Jaccard(shingles(id), shingles(original)) >= 0.7) ++right;
    }
    story_of[id] = story;
  }

  size_t found = 0, same_original = 0, jaccard_agrees = 0;
  for (const json& ref : reference) {
    const std::string id = ref["article_id"].get<std::string>();
    const std::string best = ref["best_original"].get<std::string>();
    if (flagged.contains(id)) ++found;
    if (rows[index.at(id)]["duplicate_of"] == best) ++same_original;
    // Our shingles give the reference's similarity (4 decimals).
    if (std::abs(Jaccard(shingles(id), shingles(best)) -
                 ref["jaccard"].get<double>()) < 0.00051)
      ++jaccard_agrees;
  }
  const double recall = static_cast<double>(found) / reference.size();
  const double precision =
      flagged.empty() ? 1.0 : static_cast<double>(right) / flagged.size();
  ::testing::Test::RecordProperty("recall", std::to_string(recall));
  ::testing::Test::RecordProperty("precision", std::to_string(precision));
  std::printf(
      "%s: %zu articles, %zu reference near-duplicates, %zu flagged; recall "
      "%.4f, precision %.4f, same original as the reference %zu\n",
      articles_path.c_str(), articles.size(), reference.size(), flagged.size(),
      recall, precision, same_original);
  EXPECT_EQ(jaccard_agrees, reference.size());
  EXPECT_GE(recall, 0.97);
  EXPECT_GE(precision, 0.99);
}

std::string SharedDir() {
  const char* dir = std::getenv("NW_SHARED_DIR");
  return dir != nullptr ? dir : NW_SHARED_DIR_DEFAULT;
}

TEST(StoriesReferenceTest, CommittedReutersSubset) {
  const std::string dir = std::string(NW_TEST_DATA) + "/stories/";
  CheckAgainstReference(dir + "reuters-subset.jsonl",
                        dir + "stories-reuters-subset.jsonl", 70);
}

TEST(StoriesReferenceTest, WholeReuters) {
  const std::string shared = SharedDir();
  if (!std::filesystem::exists(shared + "/spec/stories-reuters.jsonl"))
    GTEST_SKIP() << "no shared data at " << shared;
  CheckAgainstReference(shared + "/data/reuters21578.jsonl",
                        shared + "/spec/stories-reuters.jsonl", 487);
}

TEST(StoriesReferenceTest, WholeBbc) {
  const std::string shared = SharedDir();
  if (!std::filesystem::exists(shared + "/spec/stories-bbc.jsonl"))
    GTEST_SKIP() << "no shared data at " << shared;
  CheckAgainstReference(shared + "/data/bbc.jsonl",
                        shared + "/spec/stories-bbc.jsonl", 157);
}

}  // namespace
}  // namespace nw::stories
