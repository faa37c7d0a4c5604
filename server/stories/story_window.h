// File: server/stories/story_window.h
//
// The story window: the articles of the last `window` of ingest time, indexed
// so that a new article's original (stories.md: the earlier article in the
// window with the highest Jaccard similarity >= 0.8 of shingle sets, the
// earliest on ties) is found without comparing it with every article.
//
// Method (chosen by measurement, README.md): MinHash + LSH banding
// (story_sketch.h) finds candidates; each candidate is then verified with the
// exact Jaccard similarity of the two shingle sets, so every flag is exact
// (precision 1) and only the banding can miss a pair (0.997 at J = 0.8,
// more above). Memory per article in the window is the band keys, chain links
// and hash-table slots (MemoryBytes(), about 160 bytes), not the shingle
// sets: those of the newest `recent_shingles` articles are kept (a bounded
// cache: syndicated copies mostly follow their original closely), older
// ones are loaded through the caller's LoadShingles (the daemon analyzes the
// stored body again), only for candidates.
//
// Thread safety: not thread-safe; the daemon calls it from its one committer
// thread, in ingest order.
#ifndef NW_SERVER_STORIES_STORY_WINDOW_H_
#define NW_SERVER_STORIES_STORY_WINDOW_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/stories/shingles.h"
#include "server/stories/story_sketch.h"

namespace nw::stories {

struct StoryWindowOptions {
  // How far back in ingest time an original may be (stories.md).
  // Default: 7 days.
  absl::Duration window = absl::Hours(7 * 24);
  // Least Jaccard similarity of a near-duplicate (stories.md). Default: 0.8.
  double threshold = 0.8;
  // Most candidates verified per article, the newest first (bounds the work
  // when very many similar articles share band keys). Default: 64.
  int max_verifications = 64;
  // Shingle sets kept in memory, of the newest articles added.
  // Default: 1024.
  size_t recent_shingles = 1024;
};

// The original found for an article.
struct Original {
  uint64_t sequence = 0;  // the original's ingest sequence number
  double similarity = 0;  // exact Jaccard similarity, >= threshold
};

// What Process decided for one article.
struct StoryDecision {
  std::optional<Original> original;  // nullopt: the article starts a story
  // Whether the article joined the window (it has shingles and is not an
  // exact copy of its original: an identical shingle set would only ever tie
  // with the earlier one, which wins ties). Only added articles need their
  // band keys stored for the rebuild.
  bool added = false;
  BandKeys keys{};  // the article's band keys (when it has shingles)
};

class StoryWindow {
 public:
  // The shingle set of an article in the window, by sequence. NotFound:
  // the article is gone (retention); it is skipped. Other errors fail the
  // call.
  using LoadShingles =
      absl::FunctionRef<absl::StatusOr<ShingleSet>(uint64_t sequence)>;

  explicit StoryWindow(StoryWindowOptions options = {});

  // Decides an article's original among the window's articles ingested in
  // [ingested - window, ingested], then adds it (see StoryDecision::added).
  // REQUIRES: sequence and ingested do not decrease from call to call.
  // `shingles` are the article's ShingleHashes (any order, repeats allowed;
  // made a set only when there are candidates to compare with). An article
  // with no shingles is never a duplicate and is not added.
  // Errors: load's errors other than NotFound; then nothing was added.
  absl::StatusOr<StoryDecision> Process(uint64_t sequence, absl::Time ingested,
                                        std::vector<uint64_t> shingles,
                                        LoadShingles load);

  // Adds an article whose decision is already known (the rebuild at start,
  // from the band keys stored with it). Same ordering as Process.
  void Add(uint64_t sequence, absl::Time ingested, const BandKeys& keys);

  // Removes the articles with sequence > `sequence` (their commit failed, so
  // their sequence numbers will be used again).
  void Truncate(uint64_t sequence);

  // Articles in the window (after the last eviction).
  size_t size() const { return entries_.size(); }
  // Bytes held for the window's articles: entries and band tables, by
  // capacity (the shingle cache is counted in CacheBytes()).
  size_t MemoryBytes() const;
  size_t CacheBytes() const;

 private:
  struct Entry {
    uint64_t sequence;
    int64_t ingested_ns;
    BandKeys keys;
    // Per band: how many entries back the next older entry with the same
    // key is; 0 for none.
    std::array<uint32_t, kSketchBands> back;
  };
  // Band key -> low 32 bits of the newest entry's logical index (entries
  // are always live: evicting an entry erases the keys it heads).
  using BandTable = absl::flat_hash_map<uint32_t, uint32_t>;

  uint64_t Resolve(uint32_t low) const {
    return first_ + static_cast<uint32_t>(low - static_cast<uint32_t>(first_));
  }
  const Entry& At(uint64_t logical) const { return entries_[logical - first_]; }
  void Evict(int64_t cutoff_ns);
  void Insert(uint64_t sequence, int64_t ingested_ns, const BandKeys& keys);
  // Shingle hashes, made a set on first comparison.
  struct Cached {
    std::vector<uint64_t> shingles;
    bool is_set = false;
  };
  void Cache(uint64_t sequence, std::vector<uint64_t> shingles, bool is_set);

  const StoryWindowOptions options_;
  std::deque<Entry> entries_;  // oldest first
  uint64_t first_ = 0;         // logical index of entries_.front()
  std::array<BandTable, kSketchBands> tables_;
  // Shingle sets of the newest added articles, oldest first.
  std::deque<uint64_t> cache_order_;
  absl::flat_hash_map<uint64_t, Cached> cache_;
  size_t cache_words_ = 0;  // shingles held by cache_
};

}  // namespace nw::stories

#endif  // NW_SERVER_STORIES_STORY_WINDOW_H_
