#include "tests/testutil/metrics_text.h"

#include <cmath>
#include <cstdlib>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace nw::testing {
namespace {

bool IsNameChar(char c, bool first) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         c == ':' || (!first && c >= '0' && c <= '9');
}

absl::StatusOr<double> ParseValue(const std::string& s) {
  if (s == "+Inf") return INFINITY;
  if (s == "-Inf") return -INFINITY;
  if (s == "NaN") return NAN;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0')
    return absl::InvalidArgumentError("bad value '" + s + "'");
  return v;
}

struct ParsedSample {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;  // unescaped values
  std::string series;  // name{labels} as written
  double value = 0;
};

absl::StatusOr<ParsedSample> ParseSample(const std::string& line) {
  ParsedSample s;
  size_t i = 0;
  while (i < line.size() && IsNameChar(line[i], i == 0)) ++i;
  s.name = line.substr(0, i);
  if (s.name.empty()) return absl::InvalidArgumentError("no metric name");
  if (i < line.size() && line[i] == '{') {
    ++i;
    while (i < line.size() && line[i] != '}') {
      const size_t eq = line.find('=', i);
      if (eq == std::string::npos || eq + 1 >= line.size() ||
          line[eq + 1] != '"') {
        return absl::InvalidArgumentError("bad label");
      }
      std::string key = line.substr(i, eq - i), value;
      i = eq + 2;
      while (i < line.size() && line[i] != '"') {
        if (line[i] == '\\' && i + 1 < line.size()) {
          const char e = line[++i];
          if (e != '\\' && e != '"' && e != 'n')
            return absl::InvalidArgumentError("bad escape");
          value += e == 'n' ? '\n' : e;
        } else {
          value += line[i];
        }
        ++i;
      }
      if (i >= line.size())
        return absl::InvalidArgumentError("unterminated label value");
      ++i;  // closing quote
      s.labels.emplace_back(std::move(key), std::move(value));
      if (i < line.size() && line[i] == ',') ++i;
    }
    if (i >= line.size())
      return absl::InvalidArgumentError("unterminated labels");
    ++i;  // '}'
  }
  s.series = line.substr(0, i);
  if (i >= line.size() || line[i] != ' ')
    return absl::InvalidArgumentError("no value");
  absl::StatusOr<double> v = ParseValue(line.substr(i + 1));
  if (!v.ok()) return v.status();
  s.value = *v;
  return s;
}

// The family a sample belongs to, given the TYPE lines seen so far.
std::string FamilyOf(const std::string& name,
                     const std::map<std::string, std::string>& types) {
  if (types.count(name)) return name;
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    if (absl::EndsWith(name, suffix)) {
      const std::string base =
          name.substr(0, name.size() - std::string(suffix).size());
      auto it = types.find(base);
      if (it != types.end() && it->second == "histogram") return base;
    }
  }
  return "";
}

struct HistogramSeries {
  std::vector<std::pair<double, double>> buckets;  // (le, cumulative count)
  std::optional<double> sum, count;
};

}  // namespace

double ScrapedMetrics::Get(const std::string& series) const {
  auto it = samples.find(series);
  return it == samples.end() ? -1 : it->second;
}

absl::StatusOr<ScrapedMetrics> ParseMetricsText(const std::string& text) {
  ScrapedMetrics out;
  std::set<std::string> helped;
  // (family, labels without le) -> histogram parts
  std::map<std::pair<std::string, std::string>, HistogramSeries> histograms;
  int line_no = 0;
  for (absl::string_view view : absl::StrSplit(text, '\n')) {
    ++line_no;
    const std::string line(view);
    auto fail = [&](absl::string_view why) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line_no, ": ", why, ": ", line));
    };
    if (line.empty()) continue;
    if (absl::StartsWith(line, "# HELP ")) {
      std::vector<std::string> parts =
          absl::StrSplit(line, absl::MaxSplits(' ', 3));
      if (parts.size() < 3 || !helped.insert(parts[2]).second)
        return fail("bad or second HELP");
      continue;
    }
    if (absl::StartsWith(line, "# TYPE ")) {
      std::vector<std::string> parts = absl::StrSplit(line, ' ');
      if (parts.size() != 4) return fail("bad TYPE");
      const std::string& name = parts[2];
      const std::string& type = parts[3];
      if (!helped.count(name)) return fail("TYPE without HELP before it");
      if (type != "counter" && type != "gauge" && type != "histogram")
        return fail("type");
      if (type == "counter" && !absl::EndsWith(name, "_total"))
        return fail("counter name");
      if (!out.types.emplace(name, type).second) return fail("second TYPE");
      continue;
    }
    if (line[0] == '#') continue;  // a comment
    absl::StatusOr<ParsedSample> s = ParseSample(line);
    if (!s.ok()) return fail(s.status().message());
    const std::string family = FamilyOf(s->name, out.types);
    if (family.empty()) return fail("sample without HELP and TYPE");
    if (!out.samples.emplace(s->series, s->value).second)
      return fail("duplicate series");
    if (out.types[family] != "histogram") continue;
    std::string key_labels;
    std::optional<double> le;
    for (const auto& [k, v] : s->labels) {
      if (k == "le") {
        absl::StatusOr<double> bound = ParseValue(v);
        if (!bound.ok()) return fail("bad le");
        le = *bound;
      } else {
        absl::StrAppend(&key_labels, k, "=", v, ",");
      }
    }
    HistogramSeries& h = histograms[{family, key_labels}];
    if (s->name == family + "_bucket") {
      if (!le) return fail("bucket without le");
      h.buckets.emplace_back(*le, s->value);
    } else if (s->name == family + "_sum") {
      h.sum = s->value;
    } else if (s->name == family + "_count") {
      h.count = s->value;
    } else {
      return fail("histogram sample of an unknown kind");
    }
  }
  for (const auto& [key, h] : histograms) {
    const std::string where =
        absl::StrCat("histogram ", key.first, "{", key.second, "}");
    if (h.buckets.empty() || !std::isinf(h.buckets.back().first)) {
      return absl::InvalidArgumentError(where + ": no +Inf bucket last");
    }
    for (size_t i = 1; i < h.buckets.size(); ++i) {
      if (h.buckets[i].first <= h.buckets[i - 1].first ||
          h.buckets[i].second < h.buckets[i - 1].second) {
        return absl::InvalidArgumentError(where + ": buckets not increasing");
      }
    }
    if (!h.sum || !h.count)
      return absl::InvalidArgumentError(where + ": no _sum or _count");
    if (*h.count != h.buckets.back().second) {
      return absl::InvalidArgumentError(
          where + ": _count differs from the +Inf bucket");
    }
  }
  return out;
}

}  // namespace nw::testing
