// File: server/stories/shingles.h
//
// The shingles of an article body (spec stories.md, "Definition"): every run
// of K = 5 consecutive words, words exactly as rule-language.md §1 defines
// them (server/text/analyzer.h, the analyzer rules are matched with). Each
// shingle is kept as a 64-bit hash of its five words; the hash is stable
// across processes and builds, because sketches of it are stored on disk
// (story_sketch.h).
//
// Thread safety: every function may be called concurrently.
#ifndef NW_SERVER_STORIES_SHINGLES_H_
#define NW_SERVER_STORIES_SHINGLES_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/types/span.h"
#include "server/text/analyzer.h"

namespace nw::stories {

// Words per shingle (stories.md: K = 5).
inline constexpr int kShingleWords = 5;

// A shingle set: distinct shingle hashes, sorted ascending. Empty when the
// body has fewer than kShingleWords words (such an article is never a
// duplicate and never an original).
using ShingleSet = std::vector<uint64_t>;

// splitmix64's finalizer: a cheap bijective 64-bit mix with full avalanche
// (shingle hashes, sketches).
inline uint64_t Mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

// A stable 64-bit hash of one normalized word (its UTF-8 bytes).
uint64_t WordHash(std::string_view term);

// The shingle hashes of a body given the hashes of its words in text order,
// in text order, repeats kept: what sketches need (story_sketch.h), without
// the sort that a set costs (most articles are never compared exactly).
std::vector<uint64_t> ShingleHashes(absl::Span<const uint64_t> word_hashes);

// Turns shingle hashes into a ShingleSet (sorts, drops repeats).
void MakeSet(std::vector<uint64_t>& shingles);

// The shingle set of a body given the hashes of its words in text order.
ShingleSet ShinglesOfWordHashes(absl::Span<const uint64_t> word_hashes);

// The shingle hashes (ShingleHashes) and the set of a body given its words
// (text::AnalyzeField(body)).
std::vector<uint64_t> ShingleHashesOfWords(
    const std::vector<text::Word>& words);
ShingleSet ShinglesOfWords(const std::vector<text::Word>& words);

// The shingle set of a UTF-8 body: analyzes it, then ShinglesOfWords.
ShingleSet ShinglesOfBody(std::string_view utf8_body);

// |a ∩ b| / |a ∪ b| of two shingle sets; 0 when both are empty.
double Jaccard(const ShingleSet& a, const ShingleSet& b);

}  // namespace nw::stories

#endif  // NW_SERVER_STORIES_SHINGLES_H_
