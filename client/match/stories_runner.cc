#include "client/match/stories_runner.h"

#include <ctime>
#include <fstream>
#include <ostream>
#include <vector>

#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "server/stories/shingles.h"
#include "server/stories/story_window.h"
#include "server/text/analyzer.h"

namespace nw::match_tool {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) +
         1e-9 * static_cast<double>(ts.tv_nsec);
}

}  // namespace

int RunStories(const std::string& path, bool stats, std::ostream& out,
               std::ostream& err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    err << "newswatch-match: cannot read " << path << "\n";
    return 1;
  }
  // Sequence i+1 is line i's article; bodies are kept so that a candidate
  // older than the window's shingle cache is analyzed again, as the daemon
  // does from the stored article.
  std::vector<std::string> ids, story_ids, bodies;
  std::string line;
  for (int line_no = 1; std::getline(in, line); ++line_no) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    json a = json::parse(line, nullptr, false);
    if (a.is_discarded() || !a.is_object() || !a.contains("id") ||
        !a["id"].is_string() || !a.contains("body") || !a["body"].is_string()) {
      err << "newswatch-match: " << path << ":" << line_no
          << ": not an article with string \"id\" and \"body\"\n";
      return 1;
    }
    ids.push_back(a["id"].get<std::string>());
    bodies.push_back(a["body"].get<std::string>());
  }
  // --stats: the bodies' analysis alone first (the daemon does it anyway,
  // for matching), so that the stories' own CPU is the difference.
  double analysis_seconds = 0;
  if (stats) {
    const double t0 = CpuSeconds();
    size_t words = 0;
    for (const std::string& body : bodies)
      words += text::AnalyzeField(body).size();
    analysis_seconds = CpuSeconds() - t0;
    if (words == 0) err << "(no words)\n";  // keeps the loop
  }

  stories::StoryWindow window;
  const absl::Time ingested = absl::UnixEpoch();  // one window: the whole file
  size_t duplicates = 0, loads = 0;
  auto load = [&](uint64_t seq) -> absl::StatusOr<stories::ShingleSet> {
    ++loads;
    return stories::ShinglesOfBody(bodies[seq - 1]);
  };
  std::vector<ordered_json> rows;
  rows.reserve(ids.size());
  const double t0 = CpuSeconds();
  for (size_t i = 0; i < ids.size(); ++i) {
    absl::StatusOr<stories::StoryDecision> d = window.Process(
        i + 1, ingested,
        stories::ShingleHashesOfWords(text::AnalyzeField(bodies[i])), load);
    if (!d.ok()) {  // cannot happen: load never fails
      err << "newswatch-match: " << d.status() << "\n";
      return 1;
    }
    ordered_json row = {{"article_id", ids[i]}};
    if (d->original) {
      ++duplicates;
      story_ids.push_back(story_ids[d->original->sequence - 1]);
      row["story_id"] = story_ids.back();
      row["duplicate_of"] = ids[d->original->sequence - 1];
    } else {
      story_ids.push_back(ids[i]);
      row["story_id"] = story_ids.back();
      row["duplicate_of"] = nullptr;
    }
    rows.push_back(std::move(row));
  }
  const double total_seconds = CpuSeconds() - t0;
  for (const ordered_json& row : rows)
    out << row.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
  if (stats) {
    const double n = static_cast<double>(std::max<size_t>(1, ids.size()));
    err << "articles " << ids.size() << ", duplicates " << duplicates
        << ", in window " << window.size() << ", window bytes/article "
        << static_cast<double>(window.MemoryBytes()) /
               static_cast<double>(std::max<size_t>(1, window.size()))
        << ", shingle cache bytes " << window.CacheBytes()
        << ", bodies analyzed again " << loads
        << "; CPU per article: body analysis alone "
        << 1e6 * analysis_seconds / n << " us, analysis + stories "
        << 1e6 * total_seconds / n << " us, stories "
        << 1e6 * (total_seconds - analysis_seconds) / n << " us\n";
  }
  return 0;
}

}  // namespace nw::match_tool
