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
// one that collides).
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
inline uint32_t Load32(const char* p) {
  uint32_t x;
  std::memcpy(&x, p, 4);
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

}  // namespace term_table_internal

// A wyhash-style hash of a term: most are 2-12 bytes, hashed with two
// overlapping loads and two 64x64->128 multiplies.
struct TermHash {
  uint64_t operator()(std::string_view s) const {
    using namespace term_table_internal;
    const char* p = s.data();
    const size_t n = s.size();
    uint64_t seed = kSeed;
    uint64_t a, b;
    if (n <= 16) {
      if (n >= 8) {
        a = Load64(p);
        b = Load64(p + n - 8);
      } else if (n >= 4) {
        a = Load32(p);
        b = Load32(p + n - 4);
      } else if (n > 0) {
        const auto* u = reinterpret_cast<const unsigned char*>(p);
        a = (uint64_t{u[0]} << 16) | (uint64_t{u[n / 2]} << 8) | u[n - 1];
        b = 0;
      } else {
        a = b = 0;
      }
    } else {
      size_t i = 0;
      for (; i + 16 < n; i += 16)
        seed = Mum(Load64(p + i) ^ kP1, Load64(p + i + 8) ^ seed);
      a = Load64(p + n - 16);
      b = Load64(p + n - 8);
    }
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
  }

  // The id of `term`; if it is new, inserts it with id size() (the view is
  // kept: it must stay valid while the table is used).
  uint32_t Insert(std::string_view term) {
    if (slots_.empty()) Grow();
    const uint64_t hash = Hasher()(term);
    const uint64_t tag = hash >> 32;
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const uint64_t slot = slots_[i];
      if (slot == kEmpty) return Add(term, tag, i);
      if (slot >> 32 == tag && Equal(terms_[slot & kIdMask], term))
        return static_cast<uint32_t>(slot);
    }
  }

  // The id of `term`, or kNoTerm.
  uint32_t Find(std::string_view term) const {
    if (slots_.empty()) return kNoTerm;
    const uint64_t hash = Hasher()(term);
    const uint64_t tag = hash >> 32;
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const uint64_t slot = slots_[i];
      if (slot == kEmpty) return kNoTerm;
      if (slot >> 32 == tag && Equal(terms_[slot & kIdMask], term))
        return static_cast<uint32_t>(slot);
    }
  }

  size_t size() const { return terms_.size(); }
  // Distinct terms by id.
  const std::vector<std::string_view>& terms() const { return terms_; }
  // Slots of the open-addressing array (for tests and memory accounting).
  size_t capacity() const { return slots_.size(); }

 private:
  // A slot is hash >> 32 in the high half and the id in the low half; ids
  // stay below kNoTerm, so no slot in use equals kEmpty.
  static constexpr uint64_t kEmpty = ~uint64_t{0};
  static constexpr uint64_t kIdMask = 0xFFFFFFFFULL;

  // Byte-wise equality; short terms (nearly all) by two overlapping loads
  // instead of a call to memcmp.
  static bool Equal(std::string_view a, std::string_view b) {
    using term_table_internal::Load32;
    using term_table_internal::Load64;
    const size_t n = a.size();
    if (n != b.size()) return false;
    const char *p = a.data(), *q = b.data();
    if (n >= 8) {
      if (n > 16) return std::memcmp(p, q, n) == 0;
      return Load64(p) == Load64(q) && Load64(p + n - 8) == Load64(q + n - 8);
    }
    if (n >= 4)
      return Load32(p) == Load32(q) && Load32(p + n - 4) == Load32(q + n - 4);
    for (size_t k = 0; k < n; ++k) {
      if (p[k] != q[k]) return false;
    }
    return true;
  }

  // Inserts new `term` at empty slot `i`, growing first if that would leave
  // the table more than half full.
  uint32_t Add(std::string_view term, uint64_t tag, size_t i) {
    const auto id = static_cast<uint32_t>(terms_.size());
    // From the two scalars: copying `term` whole from where it was spilled
    // reads 16 bytes written as two 8-byte halves, a store-forwarding stall.
    terms_.emplace_back(term.data(), term.size());
    if (2 * terms_.size() > slots_.size()) {
      Grow();  // re-inserts `term` too
    } else {
      slots_[i] = tag << 32 | id;
    }
    return id;
  }

  // Doubles the slots (at least 16) and re-inserts every term.
  void Grow() {
    const size_t capacity = std::max<size_t>(16, 2 * slots_.size());
    slots_.assign(capacity, kEmpty);
    mask_ = capacity - 1;
    for (uint32_t id = 0; id < terms_.size(); ++id) {
      const uint64_t hash = Hasher()(terms_[id]);
      size_t i = hash & mask_;
      while (slots_[i] != kEmpty) i = (i + 1) & mask_;
      slots_[i] = hash >> 32 << 32 | id;
    }
  }

  std::vector<uint64_t> slots_;
  size_t mask_ = 0;  // slots_.size() - 1
  std::vector<std::string_view> terms_;
};

using ArticleTermTable = BasicTermTable<>;

}  // namespace nw::match

#endif  // NW_SERVER_MATCH_ARTICLE_TERM_TABLE_H_
