// File: server/index/term_dictionary.h
//
// The rule index's dictionary of word features: term -> feature id, looked up
// once per distinct word of every article. Keyed by the same hash as the
// article's term table (match::TermHash), which the article has already
// computed for each of its terms: a lookup hashes nothing.
//
// Open addressing with linear probing over a power-of-two array of 16-byte
// slots (at most half full): 32 bits of the hash, the id, and the key. A term
// of up to 7 bytes (most words) is stored in the slot itself, so that a lookup
// reads one cache line; a longer one in an arena of term bytes (the slot holds
// its offset there), compared in full when the tags match (as two words when
// it has at most 16 bytes: the arena is padded). Lookups are exact.
//
// `Hasher` maps a std::string_view to uint64_t (tests pass one that collides).
//
// Thread safety: const methods may run concurrently; others need exclusive
// access.
#ifndef NW_SERVER_INDEX_TERM_DICTIONARY_H_
#define NW_SERVER_INDEX_TERM_DICTIONARY_H_

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "server/match/article_term_table.h"

namespace nw::index {

template <typename Hasher = match::TermHash>
class BasicTermDictionary {
 public:
  static constexpr uint32_t kAbsent = UINT32_MAX;

  // The id of `term`; if absent, inserts it with id `id` (not kAbsent) and
  // returns that. `term` may be any view (it is copied).
  uint32_t FindOrInsert(std::string_view term, uint32_t id) {
    if (slots_.empty()) Rehash(16);
    const uint64_t hash = Hasher()(term);
    const uint64_t key = InlineKey(term);
    size_t i = hash & mask_;
    for (;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.id == kAbsent) break;
      if (Same(s, hash, key, term.data(), term.size())) return s.id;
    }
    Slot& s = slots_[i];
    s.tag = static_cast<uint32_t>(hash >> 32);
    s.id = id;
    s.key = key != kLong ? key : StoreLong(term);
    if (2 * ++size_ > slots_.size()) Rehash(2 * slots_.size());
    return id;
  }

  // The id of `term`, or kAbsent. REQUIRES: hash == Hasher()(term), and 16
  // bytes readable from term.data() (bytes past the term are ignored).
  uint32_t FindPadded(std::string_view term, uint64_t hash) const {
    if (size_ == 0) return kAbsent;
    const size_t n = term.size();
    const uint64_t key =
        n <= kMaxInline
            ? match::term_table_internal::PaddedLow(term.data(), n) | n << 56
            : kLong;
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.id == kAbsent) return kAbsent;
      if (Same<true>(s, hash, key, term.data(), n)) return s.id;
    }
  }

  // The id of `term` (any view), or kAbsent.
  uint32_t Find(std::string_view term) const {
    if (size_ == 0) return kAbsent;
    const uint64_t hash = Hasher()(term);
    const uint64_t key = InlineKey(term);
    for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.id == kAbsent) return kAbsent;
      if (Same(s, hash, key, term.data(), term.size())) return s.id;
    }
  }

  // Brings the slot a lookup of a term with this hash starts at into cache.
  void Prefetch(uint64_t hash) const {
    if (size_ != 0) __builtin_prefetch(&slots_[hash & mask_]);
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Slots of the open-addressing array (for tests).
  size_t capacity() const { return slots_.size(); }
  // Heap bytes owned.
  size_t MemoryBytes() const {
    return slots_.capacity() * sizeof(Slot) + arena_.capacity();
  }

 private:
  // `key`: a term of n <= kMaxInline bytes as its bytes (little-endian, zero
  // padded) | n << 56; a longer one as kLongBit | its offset in `arena_`,
  // where it is stored as 4 bytes of length, then its bytes. An empty slot
  // has id kAbsent.
  struct Slot {
    uint32_t tag;  // hash >> 32
    uint32_t id;
    uint64_t key;
  };
  static_assert(sizeof(Slot) == 16);
  static_assert(std::endian::native == std::endian::little);  // inline keys
  static constexpr size_t kMaxInline = 7;
  static constexpr uint64_t kLongBit = uint64_t{0xFF} << 56;
  static constexpr uint64_t kLong = ~uint64_t{0};  // "not inline" marker
  static constexpr size_t kArenaPadding = 16;

  static uint64_t InlineKey(std::string_view term) {
    const size_t n = term.size();
    if (n > kMaxInline) return kLong;
    uint64_t lo = 0;
    std::memcpy(&lo, term.data(), n);
    return lo | uint64_t{n} << 56;
  }

  // Whether slot `s` holds the term with this hash and `key` (InlineKey, or
  // kLong and bytes p[0, n)). `kPadded`: p[0, 16) is readable, and a long term
  // of up to 16 bytes is compared as two words (the arena is padded too).
  template <bool kPadded = false>
  bool Same(const Slot& s, uint64_t hash, uint64_t key, const char* p,
            size_t n) const {
    if (s.tag != static_cast<uint32_t>(hash >> 32)) return false;
    if (key != kLong) return s.key == key;
    if ((s.key & kLongBit) != kLongBit) return false;
    const char* a = arena_.data() + (s.key & ~kLongBit);
    uint32_t len;
    std::memcpy(&len, a, 4);
    if (len != n) return false;
    if (kPadded && n <= 16)
      return match::term_table_internal::EqualPadded(a + 4, p, n);
    return std::memcmp(a + 4, p, n) == 0;
  }

  // Appends a long term to the arena, which always ends with kArenaPadding
  // zero bytes (the new entry overwrites the old padding).
  uint64_t StoreLong(std::string_view term) {
    if (arena_.empty()) arena_.assign(kArenaPadding, 0);
    const uint64_t offset = arena_.size() - kArenaPadding;
    const auto len = static_cast<uint32_t>(term.size());
    arena_.resize(offset + 4 + len + kArenaPadding, 0);
    std::memcpy(arena_.data() + offset, &len, 4);
    std::memcpy(arena_.data() + offset + 4, term.data(), len);
    return kLongBit | offset;
  }

  std::string_view LongTerm(uint64_t key) const {
    const char* a = arena_.data() + (key & ~kLongBit);
    uint32_t len;
    std::memcpy(&len, a, 4);
    return std::string_view(a + 4, len);
  }

  // Moves every entry to a new array of `capacity` slots (the hash is
  // recomputed from the stored bytes).
  void Rehash(size_t capacity) {
    std::vector<Slot> old(capacity, Slot{0, kAbsent, 0});
    old.swap(slots_);
    mask_ = capacity - 1;
    for (const Slot& s : old) {
      if (s.id == kAbsent) continue;
      uint64_t hash;
      if ((s.key & kLongBit) == kLongBit) {
        hash = Hasher()(LongTerm(s.key));
      } else {
        const char* bytes = reinterpret_cast<const char*>(&s.key);
        hash = Hasher()(std::string_view(bytes, s.key >> 56));  // little-endian
      }
      size_t i = hash & mask_;
      while (slots_[i].id != kAbsent) i = (i + 1) & mask_;
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;  // slots_.size() - 1
  size_t size_ = 0;
  std::vector<char> arena_;
};

using TermDictionary = BasicTermDictionary<>;

}  // namespace nw::index

#endif  // NW_SERVER_INDEX_TERM_DICTIONARY_H_
