// File: server/text/analyzer.h
//
// Word analysis shared by articles and watch rules (rule-language.md §1), so
// that both sides of every comparison are normalized identically.
//
// Thread safety: every function may be called concurrently from any thread.
#ifndef NW_SERVER_TEXT_ANALYZER_H_
#define NW_SERVER_TEXT_ANALYZER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nw::text {

// One word of a text field.
struct Word {
  std::string term;   // normalized form (§1 steps 2-3), UTF-8
  uint32_t position;  // 0, 1, 2, ... in order of the field's words
  uint32_t begin;     // bytes into the original UTF-8 text, [begin, end)
  uint32_t end;
};

// Splits `utf8_text` into words per spec §1: ICU word segmentation (root
// locale), keeping segments with rule status >= UBRK_WORD_NONE_LIMIT;
// apostrophes U+2019 and U+02BC mapped to '; nfkc_cf; diacritics (Mn) removed;
// trailing 's dropped; empty results dropped. `utf8_text` must be valid UTF-8
// (the caller checks). Returns the words in text order; empty if there are
// none. Never fails.
std::vector<Word> AnalyzeField(std::string_view utf8_text);

// A word of a field analyzed by AnalyzeFieldInto: its term is
// terms.substr(term_offset, term_size) of the buffer passed there; [begin, end)
// are its bytes in the field's text. Its position is its index among the
// field's words.
struct WordRef {
  uint32_t term_offset;
  uint32_t term_size;
  uint32_t begin;
  uint32_t end;
};

// The same words as AnalyzeField, without a string per word: appends to
// `*terms` a lower-cased copy of `utf8_text` (most terms are parts of it), then
// the terms of the words that are not plain ASCII, and appends the field's
// words to `*words` (term offsets are into the whole of `*terms`, so that
// several fields can share one buffer). REQUIRES: `utf8_text` is valid UTF-8
// and the buffer stays under 4 GiB.
void AnalyzeFieldInto(std::string_view utf8_text, std::string* terms,
                      std::vector<WordRef>* words);

// Returns `value` (valid UTF-8) under ICU's nfkc_cf normalization, the form in
// which `source:` and `tag:` values are compared (spec §2). No segmentation.
std::string NormalizeMetadata(std::string_view value);

}  // namespace nw::text

#endif  // NW_SERVER_TEXT_ANALYZER_H_
