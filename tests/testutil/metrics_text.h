// File: tests/testutil/metrics_text.h
//
// Reads the Prometheus text exposition format (0.0.4) strictly, for tests:
// every sample must belong to a family announced by "# HELP" and "# TYPE"
// lines before it, histogram samples must be complete and cumulative.
#ifndef NW_TESTS_TESTUTIL_METRICS_TEXT_H_
#define NW_TESTS_TESTUTIL_METRICS_TEXT_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"

namespace nw::testing {

struct ScrapedMetrics {
  // Series as written, e.g. "newswatch_rules" or
  // "newswatch_articles_rejected_total{code=\"INVALID_ARGUMENT\"}", to value.
  std::map<std::string, double> samples;
  // Family name to type ("counter", "gauge", "histogram").
  std::map<std::string, std::string> types;

  // The value of `series`, or -1 when absent (our metrics are never negative).
  double Get(const std::string& series) const;
};

// InvalidArgument, naming the line, on anything a strict parser would refuse:
// a sample without HELP/TYPE before it, an unknown type, a duplicate series,
// a counter not ending in _total, a malformed line or value, a histogram
// without +Inf, _sum and _count or with decreasing buckets or _count != +Inf.
absl::StatusOr<ScrapedMetrics> ParseMetricsText(const std::string& text);

}  // namespace nw::testing

#endif  // NW_TESTS_TESTUTIL_METRICS_TEXT_H_
