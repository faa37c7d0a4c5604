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

// The number of 64-bit units of a word-character mask (WordCharMask) of a text
// of `size` bytes.
inline size_t WordCharMaskUnits(size_t size) { return (size + 63) / 64; }

// Sets bit i % 64 of mask[i / 64] iff byte i of `text` is an ASCII word
// character (a letter, a digit, '_' or '@'), for every i < text.size(); the
// other bits of the WordCharMaskUnits(text.size()) units are 0. Bytes >= 0x80
// are not word characters.
void WordCharMask(std::string_view text, uint64_t* mask);
// The same, a byte at a time (the reference for the vectorized one).
void WordCharMaskScalar(std::string_view text, uint64_t* mask);

// Appends the words of text[from, to) (every byte < 0x80), segmented on its own
// (as a whole field would be), to `out` as WordRefs whose terms are bytes
// `term_base + begin` onwards of a lower-cased copy of `text` (the term is a
// prefix of the word: only a trailing 's is dropped). Byte ranges are relative
// to `text`. `mask` is WordCharMask(text).
void AppendAsciiWords(std::string_view text, const uint64_t* mask, size_t from,
                      size_t to, uint32_t term_base, std::vector<WordRef>* out);

// `dst[0, size)` = `src[0, size)` with ASCII upper-case letters lower-cased
// (nfkc_cf of ASCII); other bytes, non-ASCII ones too, are copied unchanged.
void LowerAsciiCopy(const char* src, size_t size, char* dst);

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
