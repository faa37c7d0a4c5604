// File: server/match/article_term_table.h
//
// The term dictionary of one analyzed article (analyzed_article.h): distinct
// terms -> dense ids 0, 1, 2, ... in order of first insertion. Open addressing
// with linear probing over a power-of-two array of 8-byte slots (32 bits of
// the term's hash, its id), at most half full; the terms themselves are views
// that the caller keeps valid (the article's one buffer of term bytes). About
// a hundred distinct terms per article: the whole table stays in L1, and an
// insertion costs one hash, usually one slot and one comparison of a few
// bytes, where a general hash map cost about twice as much.
//
// `Hasher` maps a std::string_view to uint64_t (TermHash below; tests pass
// one that collides). Inserted terms must have 16 readable bytes from their
// start (bytes past the term are ignored), so that hashing and comparing the
// short ones reads two words without branching on the length.
//
// Thread safety: const methods may run concurrently; others need exclusive
// access.
#ifndef NW_SERVER_MATCH_ARTICLE_TERM_TABLE_H_
#define NW_SERVER_MATCH_ARTICLE_TERM_TABLE_H_

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace nw::match {

namespace term_table_internal {

inline uint64_t Load64(const char* p) {
  uint64_t x;
  std::memcpy(&x, p, 8);
  return x;
}
// The 128-bit product of a and b, folded to 64 bits.
inline uint64_t Mum(uint64_t a, uint64_t b) {
  const unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}
inline constexpr uint64_t kP1 = 0xe7037ed1a0b428dbULL;  // wyhash's constant
// Per process (from ASLR), so that crafted articles cannot collide at will.
extern const uint64_t kSeed;

// The low k bytes of a word set, k in [0, 8] (no branch: a conditional move).
inline uint64_t LowBytes(size_t k) {
  return k >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * k)) - 1;
}
// Bytes [0, n) of p (n <= 16) as two words, zero past n. REQUIRES: p[0, 16)
// readable: no branch on the length, which varies from word to word.
inline uint64_t PaddedLow(const char* p, size_t n) {
  return Load64(p) & LowBytes(n);
}
inline uint64_t PaddedHigh(const char* p, size_t n) {
  return Load64(p + 8) & LowBytes(n > 8 ? n - 8 : 0);
}
// The same two words from p[0, n) (n <= 16) reading no byte past n: for
// queries, which are not padded.
inline void ShortWords(const char* p, size_t n, uint64_t* lo, uint64_t* hi) {
  if (n >= 8) {
    *lo = Load64(p);
    *hi = n == 8 ? 0 : Load64(p + n - 8) >> (8 * (16 - n));  // bytes [8, n)
  } else if (n >= 4) {
    uint32_t first, last;
    std::memcpy(&first, p, 4);
    std::memcpy(&last, p + n - 4, 4);
    *lo = first | (uint64_t{last} >> (8 * (8 - n))) << 32;  // bytes [4, n)
    *hi = 0;
  } else {
    uint64_t x = 0;
    for (size_t k = 0; k < n; ++k)
      x |= uint64_t{static_cast<unsigned char>(p[k])} << (8 * k);
    *lo = x;
    *hi = 0;
  }
}
// The hash of a term of n <= 16 bytes from its two zero-padded words.
inline uint64_t HashShort(uint64_t lo, uint64_t hi, size_t n) {
  return Mum(kP1 ^ n, Mum(lo ^ kP1, hi ^ kSeed));
}
// Whether p[0, n) == q[0, n), n <= 16, both with 16 readable bytes.
inline bool EqualPadded(const char* p, const char* q, size_t n) {
  return ((Load64(p) ^ Load64(q)) & LowBytes(n)) == 0 &&
         ((Load64(p + 8) ^ Load64(q + 8)) & LowBytes(n > 8 ? n - 8 : 0)) == 0;
}

}  // namespace term_table_internal

// A wyhash-style hash of a term: most are 2-12 bytes, hashed as two words
// (zero-padded) and two 64x64->128 multiplies.
struct TermHash {
  uint64_t operator()(std::string_view s) const {
    if (s.size() <= 16) {
      uint64_t lo, hi;
      term_table_internal::ShortWords(s.data(), s.size(), &lo, &hi);
      return term_table_internal::HashShort(lo, hi, s.size());
    }
    return Padded(s);  // reads no byte past the end when over 16 bytes
  }
  // The same value. REQUIRES: s.data()[0, 16) readable.
  uint64_t Padded(std::string_view s) const {
    using namespace term_table_internal;
    const char* p = s.data();
    const size_t n = s.size();
    if (n <= 16) return HashShort(PaddedLow(p, n), PaddedHigh(p, n), n);
    uint64_t seed = kSeed;
    size_t i = 0;
    for (; i + 16 < n; i += 16)
      seed = Mum(Load64(p + i) ^ kP1, Load64(p + i + 8) ^ seed);
    const uint64_t a = Load64(p + n - 16), b = Load64(p + n - 8);
    return Mum(kP1 ^ n, Mum(a ^ kP1, b ^ seed));
  }
};

template <typename Hasher = TermHash>
class BasicTermTable {
 public:
  static constexpr uint32_t kNoTerm = UINT32_MAX;

  // Empties the table and sizes it for `expected` distinct terms (more are
  // fine: it grows).
  void Reset(size_t expected) {
    const size_t capacity = std::bit_ceil(std::max<size_t>(16, 2 * expected));
    slots_.assign(capacity, kEmpty);
    mask_ = capacity - 1;
    terms_.clear();
    terms_.reserve(expected);
    hashes_.clear();
    hashes_.reserve(expected);
  }

  // The id of `term`; if it is new, inserts it with id size() (the view is
  // kept: it must stay valid while the table is used). REQUIRES: 16 bytes
  // readable from term.data() (the article pads its buffer of terms).
  uint32_t Insert(std::string_view term) {
    if (slots_.empty()) Grow();
    const uint64_t hash = HashPadded(term);
    const uint64_t tag = hash >> 32;
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const uint64_t slot = slots_[i];
      if (slot == kEmpty) return Add(term, hash, i);
      if (slot >> 32 == tag && Equal(terms_[slot & kIdMask], term))
        return static_cast<uint32_t>(slot);
    }
  }

  // The id of `term` (any view: no padding needed), or kNoTerm.
  uint32_t Find(std::string_view term) const {
    using namespace term_table_internal;
    if (slots_.empty()) return kNoTerm;
    const size_t n = term.size();
    uint64_t lo = 0, hi = 0;  // a short term's words, read once
    if (n <= 16) ShortWords(term.data(), n, &lo, &hi);
    const uint64_t hash = Hasher()(term);
    const uint64_t tag = hash >> 32;
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const uint64_t slot = slots_[i];
      if (slot == kEmpty) return kNoTerm;
      if (slot >> 32 != tag) continue;
      const std::string_view t = terms_[slot & kIdMask];  // padded
      if (t.size() == n &&
          (n <= 16
               ? PaddedLow(t.data(), n) == lo && PaddedHigh(t.data(), n) == hi
               : std::memcmp(t.data(), term.data(), n) == 0)) {
        return static_cast<uint32_t>(slot);
      }
    }
  }

  size_t size() const { return terms_.size(); }
  // Distinct terms by id.
  const std::vector<std::string_view>& terms() const { return terms_; }
  // Hasher()(term) of each term by id: computed once on insertion, so that
  // other tables keyed by the same hash (the rule index's term dictionary)
  // look the article's terms up without hashing them again.
  const std::vector<uint64_t>& hashes() const { return hashes_; }
  // Slots of the open-addressing array (for tests and memory accounting).
  size_t capacity() const { return slots_.size(); }

 private:
  // A slot is hash >> 32 in the high half and the id in the low half; ids
  // stay below kNoTerm, so no slot in use equals kEmpty.
  static constexpr uint64_t kEmpty = ~uint64_t{0};
  static constexpr uint64_t kIdMask = 0xFFFFFFFFULL;

  // Hasher::Padded when it has one (same value, no branch on the length).
  static uint64_t HashPadded(std::string_view term) {
    if constexpr (requires(const Hasher& h) { h.Padded(term); }) {
      return Hasher().Padded(term);
    } else {
      return Hasher()(term);
    }
  }

  // Byte-wise equality of two terms with 16 readable bytes each; short terms
  // (nearly all) without a branch on their length.
  static bool Equal(std::string_view a, std::string_view b) {
    const size_t n = a.size();
    if (n != b.size()) return false;
    if (n <= 16) return term_table_internal::EqualPadded(a.data(), b.data(), n);
    return std::memcmp(a.data(), b.data(), n) == 0;
  }

  // Inserts new `term` at empty slot `i`, growing first if that would leave
  // the table more than half full.
  uint32_t Add(std::string_view term, uint64_t hash, size_t i) {
    const auto id = static_cast<uint32_t>(terms_.size());
    hashes_.push_back(hash);
    // From the two scalars: copying `term` whole from where it was spilled
    // reads 16 bytes written as two 8-byte halves, a store-forwarding stall.
    terms_.emplace_back(term.data(), term.size());
    if (2 * terms_.size() > slots_.size()) {
      Grow();  // re-inserts `term` too
    } else {
      slots_[i] = hash >> 32 << 32 | id;
    }
    return id;
  }

  // Doubles the slots (at least 16) and re-inserts every term.
  void Grow() {
    const size_t capacity = std::max<size_t>(16, 2 * slots_.size());
    slots_.assign(capacity, kEmpty);
    mask_ = capacity - 1;
    for (uint32_t id = 0; id < terms_.size(); ++id) {
      const uint64_t hash = hashes_[id];
      size_t i = hash & mask_;
      while (slots_[i] != kEmpty) i = (i + 1) & mask_;
      slots_[i] = hash >> 32 << 32 | id;
    }
  }

  std::vector<uint64_t> slots_;
  size_t mask_ = 0;  // slots_.size() - 1
  std::vector<std::string_view> terms_;
  std::vector<uint64_t> hashes_;  // by id
};

using ArticleTermTable = BasicTermTable<>;

}  // namespace nw::match

#endif  // NW_SERVER_MATCH_ARTICLE_TERM_TABLE_H_
