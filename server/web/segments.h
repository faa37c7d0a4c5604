// File: server/web/segments.h
//
// Highlighted text cut on the server: alerts carry highlights as byte ranges
// into UTF-8 (spec section 5), JavaScript strings index UTF-16 code units, so
// the console gets the text already cut into plain and marked segments and
// only sets textContent (never innerHTML). Pure functions.
#ifndef NW_SERVER_WEB_SEGMENTS_H_
#define NW_SERVER_WEB_SEGMENTS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace nw::web {

struct Segment {
  std::string text;
  bool mark = false;  // a matched word
  bool operator==(const Segment&) const = default;
};

using ByteRange = std::pair<uint32_t, uint32_t>;  // [begin, end), bytes

// `text` cut at `ranges` (any order; overlapping and touching ones merge;
// ends past the text are clamped; a boundary inside a multi-byte character
// widens to the whole character). Concatenating the texts gives `text`.
std::vector<Segment> Segments(absl::string_view text,
                              std::vector<ByteRange> ranges);

struct Snippet {
  bool cut_before = false;  // text precedes it (show "…")
  bool cut_after = false;   // text follows it
  std::vector<Segment> segments;
};

// Up to `max_snippets` windows of `text` around the first highlights, about
// `context_bytes` either side, cut at word boundaries (never inside a UTF-8
// character); windows that would overlap are joined.
std::vector<Snippet> Snippets(absl::string_view text,
                              std::vector<ByteRange> ranges,
                              size_t max_snippets = 3,
                              size_t context_bytes = 120);

}  // namespace nw::web

#endif  // NW_SERVER_WEB_SEGMENTS_H_
