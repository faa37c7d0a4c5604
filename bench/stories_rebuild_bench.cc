// newswatch-bench-stories-rebuild: how long newswatchd takes at start to
// rebuild a story window of N articles (server/ingest/story_stage.h), and the
// window's memory. Writes N band-key records (random keys, ingest times
// spread over the 7-day window) into a fresh RocksDB under
// --dir, reopens it (nothing cached), then times StoryStage::Create.
//
//   newswatch-bench-stories-rebuild --articles 1000000 --dir /tmp/rebuild
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/time/time.h"
#include "server/ingest/story_stage.h"
#include "server/stories/story_sketch.h"
#include "storage/commit_batch.h"
#include "storage/db.h"

ABSL_FLAG(size_t, articles, 1000000, "articles in the window");
ABSL_FLAG(std::string, dir, "",
          "a folder that does not exist yet (removed after)");

namespace {

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const size_t n = absl::GetFlag(FLAGS_articles);
  const std::string dir = absl::GetFlag(FLAGS_dir);
  if (dir.empty() || std::filesystem::exists(dir)) {
    std::fprintf(stderr, "--dir must name a folder that does not exist\n");
    return 1;
  }
  const absl::Time now = absl::Now();
  // Ingest times spread evenly over the 7-day window (less a minute).
  const absl::Duration kSpan = absl::Hours(24 * 7) - absl::Minutes(1);
  {
    auto db = nw::storage::Db::Open({.path = dir, .sync = false});
    if (!db.ok()) return 1;
    std::mt19937_64 rng(13);
    static const std::vector<newswatch::v1::Alert> kNone;
    for (size_t from = 0; from < n; from += 10000) {
      std::vector<nw::storage::StoryRecord> records;
      for (size_t i = from; i < std::min(n, from + 10000); ++i) {
        nw::stories::BandKeys keys;
        for (uint32_t& k : keys) k = static_cast<uint32_t>(rng());
        records.push_back(nw::storage::EncodeStorySketch(
            i + 1,
            absl::ToUnixNanos(now - kSpan * (static_cast<double>(n - i) /
                                             static_cast<double>(n))),
            nw::stories::EncodeBandKeys(keys)));
      }
      if (!nw::storage::CommitArticles(
               **db, {{.alerts = &kNone, .story_records = &records}})
               .ok())
        return 1;
    }
  }
  auto db = nw::storage::Db::Open({.path = dir, .sync = false});
  if (!db.ok()) return 1;
  const double cpu0 = CpuSeconds();
  const auto t0 = std::chrono::steady_clock::now();
  auto stage = nw::ingest::StoryStage::Create(**db, nullptr, now);
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  const double cpu = CpuSeconds() - cpu0;
  if (!stage.ok()) return 1;
  const auto& w = (*stage)->window();
  std::printf(
      "articles %zu: rebuild %.2f s wall, %.2f s CPU; window memory %.1f "
      "bytes/article\n",
      w.size(), wall, cpu,
      static_cast<double>(w.MemoryBytes()) / static_cast<double>(w.size()));
  db->reset();
  std::filesystem::remove_all(dir);
  return 0;
}
