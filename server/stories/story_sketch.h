// File: server/stories/story_sketch.h
//
// The locality-sensitive sketch of a shingle set: MinHash of
// kSketchBands x kSketchRows values (one permutation hashing), banded (LSH).
// Two sets of Jaccard similarity J share at least one band key with probability
// 1 - (1 - J^rows)^bands; with 8 bands of 3 rows that is 0.997 at J = 0.8,
// 0.98 at J = 0.7 and 0.66 at J = 0.5 (candidates are then verified exactly,
// story_window.h). Band keys are stored on disk with each article so that
// the window is rebuilt at start without analyzing bodies again: changing
// the hash functions or the band layout changes the format (storage/FORMAT.md).
//
// Thread safety: every function may be called concurrently.
#ifndef NW_SERVER_STORIES_STORY_SKETCH_H_
#define NW_SERVER_STORIES_STORY_SKETCH_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/types/span.h"
#include "server/stories/shingles.h"

namespace nw::stories {

inline constexpr int kSketchBands = 8;
inline constexpr int kSketchRows = 3;

// One 32-bit key per band; equal keys in a band make two articles
// candidates of each other.
using BandKeys = std::array<uint32_t, kSketchBands>;

// The band keys of non-empty shingle hashes (a ShingleSet, or
// ShingleHashes: order and repeats do not matter).
// REQUIRES: !shingles.empty().
BandKeys SketchOf(absl::Span<const uint64_t> shingles);

// Band keys as stored (kSketchBands little-endian u32, 32 bytes), and back;
// nullopt when `bytes` has the wrong size.
std::string EncodeBandKeys(const BandKeys& keys);
std::optional<BandKeys> DecodeBandKeys(std::string_view bytes);

}  // namespace nw::stories

#endif  // NW_SERVER_STORIES_STORY_SKETCH_H_
