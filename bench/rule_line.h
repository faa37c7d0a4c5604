// File: bench/rule_line.h
//
// A fast reader for the rule lines of ../shared/bench ({"id", "subscriber",
// "rule"}): loading 1M rules through a general JSON parser was ~10 % of the
// benchmark's load time (issue 16).
#ifndef NW_BENCH_RULE_LINE_H_
#define NW_BENCH_RULE_LINE_H_

#include <string>
#include <string_view>

namespace nw::bench {

struct RuleLine {
  std::string id, subscriber, rule;
};

// Reads `line`, a JSON object whose values are all strings, into `out` (keys
// "id", "subscriber", "rule"; other keys are skipped; missing ones leave
// their field empty). Returns false when the line is not such an object
// (e.g. a non-string value, bad escapes, trailing text): the caller then
// falls back to a full JSON parser, so false is never an error by itself.
bool ParseRuleLine(std::string_view line, RuleLine* out);

}  // namespace nw::bench

#endif  // NW_BENCH_RULE_LINE_H_
