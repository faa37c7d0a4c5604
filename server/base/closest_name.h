// File: server/base/closest_name.h
//
// "Did you mean ...?" for a misspelled name: the candidate nearest to `name`
// by edit distance (Levenshtein, ASCII case-insensitive), if it is close
// enough to be a likely typo (distance at most max(2, name.size() / 3)).
//
// Thread safety: pure function.
#ifndef NW_SERVER_BASE_CLOSEST_NAME_H_
#define NW_SERVER_BASE_CLOSEST_NAME_H_

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"

namespace nw::base {

// Levenshtein distance between `a` and `b`, ignoring ASCII case.
inline size_t EditDistanceIgnoreCase(absl::string_view a, absl::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      const bool same =
          absl::ascii_tolower(a[i - 1]) == absl::ascii_tolower(b[j - 1]);
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + !same});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The candidate closest to `name`, or "" when none is close.
inline std::string ClosestName(absl::string_view name,
                               const std::vector<absl::string_view>& known) {
  const size_t limit = std::max<size_t>(2, name.size() / 3);
  size_t best = limit + 1;
  absl::string_view closest;
  for (absl::string_view candidate : known) {
    const size_t d = EditDistanceIgnoreCase(name, candidate);
    if (d < best) {
      best = d;
      closest = candidate;
    }
  }
  return std::string(closest);
}

}  // namespace nw::base

#endif  // NW_SERVER_BASE_CLOSEST_NAME_H_
