#include "server/text/ascii_words.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace nw::text {
namespace {

// Word_Break classes of ASCII under ICU 72's root rules, which differ from UAX
// #29 in two places: ':' (MidLetter in UAX #29) never joins, so it is kOther
// like '"';
// '@' joins like a letter (e-mail addresses, handles).
enum Cls : uint8_t {
  kOther,
  kLetter,     // ALetter: A-Z a-z, and '@'
  kDigit,      // Numeric: 0-9
  kMidNumLet,  // '.' (MidNumLet) and '\'' (Single_Quote): join letters or
               // digits
  kMidNum,     // ',' ';': join digits only
  kExtendNum,  // '_' (ExtendNumLet): joins letters, digits and itself
};

constexpr std::array<uint8_t, 128> MakeClasses() {
  std::array<uint8_t, 128> c{};
  for (int ch = 'a'; ch <= 'z'; ++ch) c[ch] = kLetter;
  for (int ch = 'A'; ch <= 'Z'; ++ch) c[ch] = kLetter;
  for (int ch = '0'; ch <= '9'; ++ch) c[ch] = kDigit;
  c['@'] = kLetter;
  c['.'] = c['\''] = kMidNumLet;
  c[','] = c[';'] = kMidNum;
  c['_'] = kExtendNum;
  return c;
}
constexpr std::array<uint8_t, 128> kClasses = MakeClasses();

constexpr std::array<char, 128> MakeLower() {
  std::array<char, 128> l{};
  for (int ch = 0; ch < 128; ++ch)
    l[ch] = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
  return l;
}
constexpr std::array<char, 128> kLower = MakeLower();  // nfkc_cf of ASCII

constexpr bool IsWordChar(uint8_t cls) {
  return cls == kLetter || cls == kDigit || cls == kExtendNum;
}

constexpr std::array<bool, 128> MakeWordChars() {
  std::array<bool, 128> w{};
  for (int ch = 0; ch < 128; ++ch) w[ch] = IsWordChar(kClasses[ch]);
  return w;
}
constexpr std::array<bool, 128> kWordChar = MakeWordChars();

// Lower-cases 8 ASCII bytes at once: no byte is >= 0x80, so the additions
// below never carry into the next byte.
uint64_t LowerAscii8(uint64_t x) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  const uint64_t ge_a = x + (0x80 - 'A') * kOnes;      // bit 7: byte >= 'A'
  const uint64_t gt_z = x + (0x80 - 'Z' - 1) * kOnes;  // bit 7: byte > 'Z'
  const uint64_t upper = (ge_a & ~gt_z) & (0x80 * kOnes);
  return x | (upper >> 2);  // 0x20 per upper-case byte
}

// The first word character of mask bits [i, to), or `to` if none.
size_t NextWordChar(const uint64_t* mask, size_t i, size_t to) {
  if (i >= to) return to;
  size_t unit = i / 64;
  uint64_t bits = mask[unit] & (~uint64_t{0} << (i % 64));
  while (bits == 0) {
    if (++unit * 64 >= to) return to;
    bits = mask[unit];
  }
  return std::min(unit * 64 + __builtin_ctzll(bits), to);
}

// The first non-word character of mask bits [i, to), or `to` if none.
size_t NextOtherChar(const uint64_t* mask, size_t i, size_t to) {
  if (i >= to) return to;
  size_t unit = i / 64;
  uint64_t bits = ~mask[unit] & (~uint64_t{0} << (i % 64));
  while (bits == 0) {
    if (++unit * 64 >= to) return to;
    bits = ~mask[unit];
  }
  return std::min(unit * 64 + __builtin_ctzll(bits), to);
}

#if defined(__SSE2__)
// Bit k set iff p[k] is a word character, for 16 bytes.
uint32_t WordChars16(const unsigned char* p) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  // x in [lo, lo + span] (unsigned): min(x - lo, span) == x - lo.
  auto in_range = [](__m128i x, char lo, char span) {
    const __m128i d = _mm_sub_epi8(x, _mm_set1_epi8(lo));
    return _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(span)), d);
  };
  const __m128i letter =
      in_range(_mm_or_si128(v, _mm_set1_epi8(0x20)), 'a', 'z' - 'a');
  const __m128i digit = in_range(v, '0', '9' - '0');
  const __m128i other = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('_')),
                                     _mm_cmpeq_epi8(v, _mm_set1_epi8('@')));
  return static_cast<uint32_t>(
      _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(letter, digit), other)));
}
#endif

}  // namespace

void WordCharMaskScalar(std::string_view text, uint64_t* mask) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  std::fill(mask, mask + WordCharMaskUnits(text.size()), 0);
  for (size_t i = 0; i < text.size(); ++i) {
    if (bytes[i] < 0x80 && kWordChar[bytes[i]])
      mask[i / 64] |= uint64_t{1} << (i % 64);
  }
}

void WordCharMask(std::string_view text, uint64_t* mask) {
#if defined(__SSE2__)
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    mask[i / 64] = uint64_t{WordChars16(bytes + i)} |
                   uint64_t{WordChars16(bytes + i + 16)} << 16 |
                   uint64_t{WordChars16(bytes + i + 32)} << 32 |
                   uint64_t{WordChars16(bytes + i + 48)} << 48;
  }
  if (i < n) {  // the last partial unit: whole chunks, then a padded copy
    uint64_t unit = 0;
    size_t k = i;
    for (; k + 16 <= n; k += 16)
      unit |= uint64_t{WordChars16(bytes + k)} << (k - i);
    if (k < n) {  // most rule words end here: one chunk
      alignas(16) unsigned char tail[16] = {};
      std::memcpy(tail, bytes + k, n - k);
      unit |= uint64_t{WordChars16(tail)} << (k - i);
    }
    mask[i / 64] = unit;
  }
#else
  WordCharMaskScalar(text, mask);
#endif
}

void LowerAsciiCopy(const char* src, size_t size, char* dst) {
  size_t k = 0;
  for (; k + 8 <= size; k += 8) {
    uint64_t x;
    std::memcpy(&x, src + k, 8);
    if ((x & 0x8080808080808080ULL) == 0) {
      x = LowerAscii8(x);
    } else {  // LowerAscii8 would carry out of the bytes >= 0x80
      for (int b = 0; b < 64; b += 8) {
        const uint64_t c = x >> b & 0xFF;
        if (c >= 'A' && c <= 'Z') x |= uint64_t{0x20} << b;
      }
    }
    std::memcpy(dst + k, &x, 8);
  }
  for (; k < size; ++k) {
    const auto c = static_cast<unsigned char>(src[k]);
    dst[k] = static_cast<char>(c < 0x80 ? kLower[c] : c);
  }
}

void AppendAsciiWords(std::string_view text, const uint64_t* mask, size_t from,
                      size_t to, uint32_t term_base,
                      std::vector<WordRef>* out) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  auto cls = [&](size_t i) { return kClasses[bytes[i] & 0x7F]; };
  size_t i = from;
  while (true) {
    i = NextWordChar(mask, i, to);  // skipped: one-character segments, status 0
    if (i == to) break;
    // UAX #29 WB5-WB13b over ASCII: letters, digits and '_' join each other; a
    // letter, '.' or '\'', letter; a digit, '.' '\'' ',' or ';', digit.
    const size_t start = i;
    size_t j = NextOtherChar(mask, i + 1, to);  // one past the segment so far
    while (j + 1 < to) {
      const uint8_t d = cls(j);
      if (d != kMidNumLet && d != kMidNum) break;
      const uint8_t last = cls(j - 1);
      if (cls(j + 1) != last ||
          !(last == kDigit || (last == kLetter && d == kMidNumLet))) {
        break;
      }
      j = NextOtherChar(mask, j + 2, to);  // j + 1 is a letter or digit
    }
    i = j;
    // A lone '_' has rule status 0; "__" and longer are words (status 200).
    if (j - start == 1 && bytes[start] == '_') continue;
    size_t len = j - start;
    if (len >= 3 && bytes[j - 2] == '\'' && (bytes[j - 1] | 0x20) == 's') {
      len -= 2;  // §1 step 3 ('S' lower-cases to 's'); never empty: a letter
                 // precedes '
    }
    // Field by field: a WordRef built on the stack and copied whole would be
    // read back before its four stores retire (a store-forwarding stall).
    WordRef& w = out->emplace_back();
    w.term_offset = term_base + static_cast<uint32_t>(start);
    w.term_size = static_cast<uint32_t>(len);
    w.begin = static_cast<uint32_t>(start);
    w.end = static_cast<uint32_t>(j);
  }
}

}  // namespace nw::text
