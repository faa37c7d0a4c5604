// File: tests/fuzz/fuzz_checks.h
//
// The invariant checks run by the libFuzzer targets (rule_parser_fuzzer.cc,
// analyzer_fuzzer.cc) and by the regression test (fuzz_regression_test.cc),
// which replays the seed corpora and every saved crasher through the same
// functions.
#ifndef NW_TESTS_FUZZ_FUZZ_CHECKS_H_
#define NW_TESTS_FUZZ_FUZZ_CHECKS_H_

#include <string>
#include <string_view>
#include <vector>

#include "server/match/evaluator.h"
#include "server/text/analyzer.h"

namespace nw::fuzz {

// Treats `data` as a rule text (any bytes, valid UTF-8 or not: ParseRule
// rejects invalid UTF-8 itself). Checks: a rejected rule is InvalidArgument
// with an offset
// <= data.size(); an accepted rule has a canonical form that (when within the
// spec §4 limits) re-parses to the same canonical form, and evaluating it
// against a fixed article and an article made from `data` gives well-formed
// highlights. Returns "" if every invariant holds, else a description of the
// violation.
std::string CheckRuleInput(std::string_view data);

// Treats `data` as a text field. Invalid UTF-8 is skipped (returns ""), as the
// daemon validates articles first. Checks AnalyzeField's words (non-empty
// terms, positions 0..n-1, begin < end <= size on character boundaries,
// increasing non-overlapping ranges), then analyzes an article made from `data`
// and evaluates a few fixed rules against it (well-formed highlights). Returns
// "" or a description of the violation.
std::string CheckAnalyzerInput(std::string_view data);

// The invariants the two checks above apply, exposed so that a test can feed
// them violations. Each returns "" or a description of the first violation.
// Highlights per evaluator.h: begin < end <= field size, title before body,
// then by (begin, end), no duplicates.
std::string CheckHighlights(const std::vector<match::Highlight>& highlights,
                            size_t title_size, size_t body_size);
// Words per analyzer.h: non-empty UTF-8 terms, positions 0..n-1, ranges
// begin < end <= text size on character boundaries, increasing and
// non-overlapping.
std::string CheckWords(const std::vector<text::Word>& words,
                       std::string_view text);

// True if `data` is valid UTF-8 (ICU U8_NEXT; no surrogates, no non-characters
// check).
bool IsValidUtf8(std::string_view data);

}  // namespace nw::fuzz

#endif  // NW_TESTS_FUZZ_FUZZ_CHECKS_H_
