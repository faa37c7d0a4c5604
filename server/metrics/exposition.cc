#include "server/metrics/exposition.h"

#include <charconv>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace nw::metrics {
namespace {

bool IsNameChar(char c, bool first, bool colon_ok) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return true;
  if (colon_ok && c == ':') return true;
  return !first && c >= '0' && c <= '9';
}

bool IsValidName(absl::string_view name, bool colon_ok) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (!IsNameChar(name[i], i == 0, colon_ok)) return false;
  }
  return true;
}

std::string Escape(absl::string_view in, bool quote) {
  std::string out;
  out.reserve(in.size());
  for (char c : in) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (quote && c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

bool IsValidMetricName(absl::string_view name) {
  return IsValidName(name, true);
}

bool IsValidLabelName(absl::string_view name) {
  return IsValidName(name, false) && name.substr(0, 2) != "__";
}

std::string EscapeHelp(absl::string_view help) { return Escape(help, false); }

std::string EscapeLabelValue(absl::string_view value) {
  return Escape(value, true);
}

std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, end);
}

void AppendFamily(std::string& out, absl::string_view name,
                  absl::string_view help, absl::string_view type,
                  const std::vector<Sample>& samples) {
  absl::StrAppend(&out, "# HELP ", name, " ", EscapeHelp(help), "\n# TYPE ",
                  name, " ", type, "\n");
  for (const Sample& s : samples) {
    absl::StrAppend(&out, name, s.suffix);
    if (!s.labels.empty()) {
      out += '{';
      for (size_t i = 0; i < s.labels.size(); ++i) {
        absl::StrAppend(&out, i ? "," : "", s.labels[i].first, "=\"",
                        EscapeLabelValue(s.labels[i].second), "\"");
      }
      out += '}';
    }
    absl::StrAppend(&out, " ", FormatValue(s.value), "\n");
  }
}

}  // namespace nw::metrics
