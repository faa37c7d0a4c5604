#include "server/stories/shingles.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace nw::stories {

uint64_t WordHash(std::string_view term) {
  // 8 bytes at a time (most words are one step), little-endian by
  // definition so that the value is the same on every machine.
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ (term.size() * 0xff51afd7ed558ccdULL);
  size_t i = 0;
  while (i < term.size()) {
    uint64_t chunk = 0;
    const size_t n = std::min<size_t>(8, term.size() - i);
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(&chunk, term.data() + i, n);
    } else {
      for (size_t k = 0; k < n; ++k)
        chunk |= uint64_t{static_cast<unsigned char>(term[i + k])} << (8 * k);
    }
    h = (h ^ chunk) * 0x9fb21c651e98df25ULL;
    h ^= h >> 29;
    i += n;
  }
  return Mix64(h);
}

std::vector<uint64_t> ShingleHashes(absl::Span<const uint64_t> word_hashes) {
  std::vector<uint64_t> out;
  if (word_hashes.size() < kShingleWords) return out;
  out.reserve(word_hashes.size() - kShingleWords + 1);
  for (size_t i = 0; i + kShingleWords <= word_hashes.size(); ++i) {
    // One mix per shingle; a rotation per place keeps the order ("a b c d
    // e" differs from "b a c d e").
    const uint64_t* w = &word_hashes[i];
    out.push_back(Mix64(w[0] + std::rotl(w[1], 13) + std::rotl(w[2], 26) +
                        std::rotl(w[3], 39) + std::rotl(w[4], 52)));
  }
  return out;
}

void MakeSet(std::vector<uint64_t>& shingles) {
  std::sort(shingles.begin(), shingles.end());
  shingles.erase(std::unique(shingles.begin(), shingles.end()), shingles.end());
}

ShingleSet ShinglesOfWordHashes(absl::Span<const uint64_t> word_hashes) {
  std::vector<uint64_t> out = ShingleHashes(word_hashes);
  MakeSet(out);
  return out;
}

std::vector<uint64_t> ShingleHashesOfWords(
    const std::vector<text::Word>& words) {
  std::vector<uint64_t> hashes;
  hashes.reserve(words.size());
  for (const text::Word& w : words) hashes.push_back(WordHash(w.term));
  return ShingleHashes(hashes);
}

ShingleSet ShinglesOfWords(const std::vector<text::Word>& words) {
  std::vector<uint64_t> out = ShingleHashesOfWords(words);
  MakeSet(out);
  return out;
}

ShingleSet ShinglesOfBody(std::string_view utf8_body) {
  return ShinglesOfWords(text::AnalyzeField(utf8_body));
}

double Jaccard(const ShingleSet& a, const ShingleSet& b) {
  if (a.empty() && b.empty()) return 0;
  size_t common = 0;
  auto i = a.begin(), j = b.begin();
  while (i != a.end() && j != b.end()) {
    if (*i < *j) {
      ++i;
    } else if (*j < *i) {
      ++j;
    } else {
      ++common;
      ++i;
      ++j;
    }
  }
  return static_cast<double>(common) /
         static_cast<double>(a.size() + b.size() - common);
}

}  // namespace nw::stories
