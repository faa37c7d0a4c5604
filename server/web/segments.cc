#include "server/web/segments.h"

#include <algorithm>

namespace nw::web {
namespace {

bool IsContinuation(absl::string_view text, size_t i) {
  return i < text.size() && (static_cast<uint8_t>(text[i]) & 0xC0) == 0x80;
}

// Back to the start of the character holding byte i.
size_t CharStart(absl::string_view text, size_t i) {
  while (i > 0 && IsContinuation(text, i)) --i;
  return i;
}

// Forward to the end of the character holding byte i - 1.
size_t CharEnd(absl::string_view text, size_t i) {
  while (i < text.size() && IsContinuation(text, i)) ++i;
  return i;
}

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

// Sorted, clamped, widened to whole characters, merged.
std::vector<ByteRange> Normalize(absl::string_view text,
                                 std::vector<ByteRange> ranges) {
  const auto size = static_cast<uint32_t>(text.size());
  std::vector<ByteRange> out;
  for (auto [b, e] : ranges) {
    b = std::min(b, size);
    e = std::min(e, size);
    if (b >= e) continue;
    out.emplace_back(CharStart(text, b), CharEnd(text, e));
  }
  std::sort(out.begin(), out.end());
  std::vector<ByteRange> merged;
  for (const ByteRange& r : out) {
    if (!merged.empty() && r.first <= merged.back().second) {
      merged.back().second = std::max(merged.back().second, r.second);
    } else {
      merged.push_back(r);
    }
  }
  return merged;
}

// Segments of text[from, to) given normalized `ranges`.
std::vector<Segment> Cut(absl::string_view text, size_t from, size_t to,
                         const std::vector<ByteRange>& ranges) {
  std::vector<Segment> out;
  size_t at = from;
  for (const auto& [b, e] : ranges) {
    if (e <= from || b >= to) continue;
    const size_t mb = std::max<size_t>(b, from), me = std::min<size_t>(e, to);
    if (mb > at) out.push_back({std::string(text.substr(at, mb - at)), false});
    out.push_back({std::string(text.substr(mb, me - mb)), true});
    at = me;
  }
  if (to > at) out.push_back({std::string(text.substr(at, to - at)), false});
  return out;
}

}  // namespace

std::vector<Segment> Segments(absl::string_view text,
                              std::vector<ByteRange> ranges) {
  return Cut(text, 0, text.size(), Normalize(text, std::move(ranges)));
}

std::vector<Snippet> Snippets(absl::string_view text,
                              std::vector<ByteRange> ranges,
                              size_t max_snippets, size_t context_bytes) {
  const std::vector<ByteRange> marks = Normalize(text, std::move(ranges));
  std::vector<ByteRange> windows;
  for (const auto& [b, e] : marks) {
    size_t from = b > context_bytes ? b - context_bytes : 0;
    size_t to = std::min(text.size(), size_t{e} + context_bytes);
    // Start after a space and end before one, so no word is cut.
    if (from > 0) {
      size_t space = from;
      while (space < b && !IsSpace(text[space])) ++space;
      from = space < b ? space + 1 : CharStart(text, from);
    }
    if (to < text.size()) {
      size_t space = to;
      while (space > e && !IsSpace(text[space])) --space;
      to = space > e ? space : CharEnd(text, to);
    }
    if (!windows.empty() && from <= windows.back().second) {
      windows.back().second = std::max<uint32_t>(windows.back().second, to);
    } else {
      if (windows.size() == max_snippets) break;
      windows.emplace_back(from, to);
    }
  }
  std::vector<Snippet> out;
  for (const auto& [from, to] : windows) {
    out.push_back({.cut_before = from > 0,
                   .cut_after = to < text.size(),
                   .segments = Cut(text, from, to, marks)});
  }
  return out;
}

}  // namespace nw::web
