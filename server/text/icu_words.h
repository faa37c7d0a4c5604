// File: server/text/icu_words.h
//
// The reference implementation of word analysis (rule-language.md §1) through
// ICU: word BreakIterator (root locale), apostrophe mapping, nfkc_cf,
// diacritics removal, trailing 's. AnalyzeField (analyzer.h) uses it for the
// parts of a field that are not plain ASCII; tests use it as the oracle for the
// ASCII fast path.
//
// Thread safety: every function may be called concurrently from any thread.
#ifndef NW_SERVER_TEXT_ICU_WORDS_H_
#define NW_SERVER_TEXT_ICU_WORDS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/text/analyzer.h"

namespace nw::text {

// Appends the words of `utf8_text` (valid UTF-8) per spec §1, segmenting it on
// its own (as if it were a whole field). Word positions continue from
// `*next_position` (advanced past them) and byte ranges are offset by `base`.
// Never fails.
void AppendIcuWords(std::string_view utf8_text, uint32_t base,
                    uint32_t* next_position, std::vector<Word>* out);

// ICU's nfkc_cf of `value` (valid UTF-8).
std::string IcuNfkcCasefold(std::string_view value);

}  // namespace nw::text

#endif  // NW_SERVER_TEXT_ICU_WORDS_H_
