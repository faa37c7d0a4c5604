// File: server/text/ascii_words.h
//
// A fast path of word analysis (rule-language.md §1) for text that is plain
// ASCII: ICU's root word-break rules (UAX #29 as tailored by ICU 72) restricted
// to ASCII, where they reduce to a few character classes, and nfkc_cf reduced
// to ASCII lower casing (ASCII has no marks, no compatibility forms and no
// default ignorables). The output is identical to the ICU path (icu_words.h);
// tests/server/text proves it exhaustively over short strings and on every
// article of the shared data.
//
// Thread safety: pure functions.
#ifndef NW_SERVER_TEXT_ASCII_WORDS_H_
#define NW_SERVER_TEXT_ASCII_WORDS_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "server/text/analyzer.h"

namespace nw::text {

// Appends the words of `ascii_text` (every byte < 0x80), segmented on its own
// (as a whole field would be), to `out`. Positions continue from
// `*next_position` (advanced past them); byte ranges are offset by `base`.
void AppendAsciiWords(std::string_view ascii_text, uint32_t base,
                      uint32_t* next_position, std::vector<Word>* out);

// Whether ICU's word segmentation always has a boundary at byte `i` of `text`,
// whatever surrounds it: `text[i - 1]` is an ASCII space, tab, CR or LF (after
// which ICU only joins further spaces or combining characters) and `text[i]` is
// ASCII but none of those. A field splits at such boundaries into pieces that
// segment independently, so ASCII pieces can take the fast path. REQUIRES: 0 <
// i < size.
inline bool IsHardBoundary(std::string_view text, size_t i) {
  auto space = [](unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  };
  const auto prev = static_cast<unsigned char>(text[i - 1]);
  const auto next = static_cast<unsigned char>(text[i]);
  return space(prev) && next < 0x80 && !space(next);
}

}  // namespace nw::text

#endif  // NW_SERVER_TEXT_ASCII_WORDS_H_
