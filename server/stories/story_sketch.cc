#include "server/stories/story_sketch.h"

#include <cstring>
#include <limits>

namespace nw::stories {
namespace {

constexpr int kBins = kSketchBands * kSketchRows;

}  // namespace

// One permutation hashing (Li, Owen, Zhang 2012) with optimal densification
// (Shrivastava 2017): each shingle hash (already uniformly mixed) falls into
// one of kBins bins by its high 32 bits and competes there with its low 32
// bits; an empty bin borrows the minimum of a bin picked by a fixed random
// walk. One pass over the shingles instead of kBins hash functions each
// (24x less work; the banding's collision probability stays J per row).
BandKeys SketchOf(absl::Span<const uint64_t> shingles) {
  std::array<uint32_t, kBins> mins;
  std::array<bool, kBins> filled{};
  mins.fill(UINT32_MAX);
  for (uint64_t s : shingles) {
    const uint32_t bin = static_cast<uint32_t>(((s >> 32) * kBins) >> 32);
    const uint32_t value = static_cast<uint32_t>(s);
    if (value <= mins[bin]) mins[bin] = value;
    filled[bin] = true;
  }
  std::array<uint32_t, kBins> dense = mins;
  for (int i = 0; i < kBins; ++i) {
    if (filled[i]) continue;
    for (uint64_t attempt = 1;; ++attempt) {
      const uint64_t h = Mix64((static_cast<uint64_t>(i) << 32) + attempt);
      const int from = static_cast<int>(((h >> 32) * kBins) >> 32);
      if (filled[from]) {
        dense[i] = mins[from] ^ static_cast<uint32_t>(attempt);
        break;
      }
    }
  }
  BandKeys keys;
  for (int b = 0; b < kSketchBands; ++b) {
    uint64_t h = static_cast<uint64_t>(b + 1);
    for (int r = 0; r < kSketchRows; ++r)
      h = Mix64(h + dense[b * kSketchRows + r]);
    keys[b] = static_cast<uint32_t>(h >> 32);
  }
  return keys;
}

std::string EncodeBandKeys(const BandKeys& keys) {
  std::string out(sizeof(uint32_t) * kSketchBands, '\0');
  for (int b = 0; b < kSketchBands; ++b) {
    for (int i = 0; i < 4; ++i)
      out[4 * b + i] = static_cast<char>((keys[b] >> (8 * i)) & 0xff);
  }
  return out;
}

std::optional<BandKeys> DecodeBandKeys(std::string_view bytes) {
  if (bytes.size() != sizeof(uint32_t) * kSketchBands) return std::nullopt;
  BandKeys keys;
  for (int b = 0; b < kSketchBands; ++b) {
    uint32_t k = 0;
    for (int i = 0; i < 4; ++i)
      k |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[4 * b + i]))
           << (8 * i);
    keys[b] = k;
  }
  return keys;
}

}  // namespace nw::stories
