// File: server/metrics/exposition.h
//
// The Prometheus text exposition format, version 0.0.4: one family is a
// "# HELP" line, a "# TYPE" line and its samples, e.g.
//
//   # HELP newswatch_articles_ingested_total Articles stored.
//   # TYPE newswatch_articles_ingested_total counter
//   newswatch_articles_ingested_total 42
//
// Pure string functions; thread-compatible.
#ifndef NW_SERVER_METRICS_EXPOSITION_H_
#define NW_SERVER_METRICS_EXPOSITION_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace nw::metrics {

// The content type a scraper expects for this format.
inline constexpr char kExpositionContentType[] =
    "text/plain; version=0.0.4; charset=utf-8";

using Labels =
    std::vector<std::pair<std::string, std::string>>;  // (name, value)

struct Sample {
  std::string
      suffix;  // appended to the family name: "", "_bucket", "_sum", "_count"
  Labels labels;
  double value = 0;
};

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool IsValidMetricName(absl::string_view name);
// [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__" (reserved).
bool IsValidLabelName(absl::string_view name);

// HELP text: backslash and newline escaped.
std::string EscapeHelp(absl::string_view help);
// Label value: backslash, double quote and newline escaped.
std::string EscapeLabelValue(absl::string_view value);
// Shortest text that reads back as `value`; "+Inf", "-Inf", "NaN".
std::string FormatValue(double value);

// Appends one family: HELP, TYPE ("counter", "gauge" or "histogram"), samples.
void AppendFamily(std::string& out, absl::string_view name,
                  absl::string_view help, absl::string_view type,
                  const std::vector<Sample>& samples);

}  // namespace nw::metrics

#endif  // NW_SERVER_METRICS_EXPOSITION_H_
