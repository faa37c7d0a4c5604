#include "server/text/ascii_words.h"

#include <array>
#include <string>

namespace nw::text {
namespace {

// Word_Break classes of ASCII under ICU 72's root rules, which differ from UAX #29
// in two places: ':' (MidLetter in UAX #29) never joins, so it is kOther like '"';
// '@' joins like a letter (e-mail addresses, handles).
enum Cls : uint8_t {
  kOther,
  kLetter,     // ALetter: A-Z a-z, and '@' 
  kDigit,      // Numeric: 0-9
  kMidNumLet,  // '.' (MidNumLet) and '\'' (Single_Quote): join letters or digits
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

bool IsWordChar(uint8_t cls) { return cls == kLetter || cls == kDigit || cls == kExtendNum; }

}  // namespace

void AppendAsciiWords(std::string_view text, uint32_t base, uint32_t* next_position,
                      std::vector<Word>* out) {
  const size_t n = text.size();
  auto cls = [&](size_t i) -> uint8_t {
    return i < n ? kClasses[static_cast<unsigned char>(text[i]) & 0x7F] : kOther;
  };
  size_t i = 0;
  while (i < n) {
    const uint8_t first = cls(i);
    if (!IsWordChar(first)) {  // a one-character segment of rule status 0
      ++i;
      continue;
    }
    // UAX #29 WB5-WB13b over ASCII: letters, digits and '_' join each other; a
    // letter, '.' or '\'', letter; a digit, '.' '\'' ',' or ';', digit.
    const size_t start = i;
    bool alnum = first != kExtendNum;
    size_t j = i;  // last character of the segment
    for (;;) {
      const uint8_t c = cls(j), d = cls(j + 1);
      if (IsWordChar(d)) {
        alnum = alnum || d != kExtendNum;
        ++j;
        continue;
      }
      if ((d == kMidNumLet || d == kMidNum) && cls(j + 2) == c &&
          (c == kDigit || (c == kLetter && d == kMidNumLet))) {
        j += 2;
        continue;
      }
      break;
    }
    i = j + 1;
    // A lone '_' has rule status 0; "__" and longer are words (status 200).
    if (!alnum && i - start < 2) continue;
    std::string term(text.substr(start, i - start));
    for (char& ch : term) {
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    }
    if (term.size() >= 2 && term[term.size() - 2] == '\'' && term.back() == 's') {
      term.resize(term.size() - 2);  // §1 step 3; never empty: a letter precedes '
    }
    out->push_back(Word{std::move(term), (*next_position)++, base + static_cast<uint32_t>(start),
                        base + static_cast<uint32_t>(i)});
  }
}

}  // namespace nw::text
