#include "server/text/ascii_words.h"

#include <array>

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

bool IsWordChar(uint8_t cls) {
  return cls == kLetter || cls == kDigit || cls == kExtendNum;
}

}  // namespace

void AppendAsciiWords(std::string_view text, uint32_t base,
                      uint32_t* next_position, std::vector<Word>* out) {
  const size_t n = text.size();
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  auto cls = [&](size_t i) { return kClasses[bytes[i] & 0x7F]; };
  size_t i = 0;
  while (i < n) {
    uint8_t last = cls(i);
    if (!IsWordChar(last)) {  // a one-character segment of rule status 0
      ++i;
      continue;
    }
    // UAX #29 WB5-WB13b over ASCII: letters, digits and '_' join each other; a
    // letter, '.' or '\'', letter; a digit, '.' '\'' ',' or ';', digit.
    const size_t start = i;
    bool alnum = last != kExtendNum;
    size_t j = i + 1;  // one past the segment so far
    while (j < n) {
      const uint8_t d = cls(j);
      if (IsWordChar(d)) {
        alnum = alnum || d != kExtendNum;
        last = d;
        ++j;
      } else if ((d == kMidNumLet || d == kMidNum) && j + 1 < n &&
                 cls(j + 1) == last &&
                 (last == kDigit || (last == kLetter && d == kMidNumLet))) {
        j += 2;
      } else {
        break;
      }
    }
    i = j;
    // A lone '_' has rule status 0; "__" and longer are words (status 200).
    if (!alnum && j - start < 2) continue;
    size_t len = j - start;
    if (len >= 3 && bytes[j - 2] == '\'' && (bytes[j - 1] | 0x20) == 's') {
      len -= 2;  // §1 step 3 ('S' lower-cases to 's'); never empty: a letter
                 // precedes '
    }
    Word& w = out->emplace_back();
    w.term.resize(len);
    for (size_t k = 0; k < len; ++k) w.term[k] = kLower[bytes[start + k]];
    w.position = (*next_position)++;
    w.begin = base + static_cast<uint32_t>(start);
    w.end = base + static_cast<uint32_t>(j);
  }
}

}  // namespace nw::text
