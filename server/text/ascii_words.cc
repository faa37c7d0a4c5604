#include "server/text/ascii_words.h"

#include <array>
#include <cstdint>
#include <cstring>

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

// `dst[0, len)` = kLower of `src[0, len)`.
void LowerCopy(const unsigned char* src, size_t len, char* dst) {
  size_t k = 0;
  for (; k + 8 <= len; k += 8) {
    uint64_t x;
    std::memcpy(&x, src + k, 8);
    x = LowerAscii8(x);
    std::memcpy(dst + k, &x, 8);
  }
  for (; k < len; ++k) dst[k] = kLower[src[k]];
}

}  // namespace

void AppendAsciiWords(std::string_view text, uint32_t base,
                      uint32_t* next_position, std::vector<Word>* out) {
  const size_t n = text.size();
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  auto cls = [&](size_t i) { return kClasses[bytes[i] & 0x7F]; };
  auto word_char = [&](size_t i) { return kWordChar[bytes[i] & 0x7F]; };
  size_t i = 0;
  while (true) {
    while (i < n && !word_char(i)) ++i;  // one-character segments, status 0
    if (i == n) break;
    // UAX #29 WB5-WB13b over ASCII: letters, digits and '_' join each other; a
    // letter, '.' or '\'', letter; a digit, '.' '\'' ',' or ';', digit.
    const size_t start = i;
    size_t j = i + 1;  // one past the segment so far
    while (true) {
      while (j < n && word_char(j)) ++j;
      if (j + 1 >= n) break;
      const uint8_t d = cls(j);
      if (d != kMidNumLet && d != kMidNum) break;
      const uint8_t last = cls(j - 1);
      if (cls(j + 1) != last ||
          !(last == kDigit || (last == kLetter && d == kMidNumLet))) {
        break;
      }
      j += 2;
    }
    i = j;
    // A lone '_' has rule status 0; "__" and longer are words (status 200).
    if (j - start == 1 && bytes[start] == '_') continue;
    size_t len = j - start;
    if (len >= 3 && bytes[j - 2] == '\'' && (bytes[j - 1] | 0x20) == 's') {
      len -= 2;  // §1 step 3 ('S' lower-cases to 's'); never empty: a letter
                 // precedes '
    }
    Word& w = out->emplace_back();
    w.term.resize(len);
    LowerCopy(bytes + start, len, w.term.data());
    w.position = (*next_position)++;
    w.begin = base + static_cast<uint32_t>(start);
    w.end = base + static_cast<uint32_t>(j);
  }
}

}  // namespace nw::text
