#include "server/ingest/snippets.h"

#include <algorithm>

namespace nw::ingest {
namespace {

using ::newswatch::v1::Highlight;
using ::newswatch::v1::Snippet;

bool IsContinuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The start of a snippet that must contain `first`: after the first space in
// [lo, first), else the code point boundary at or after lo.
size_t CutStart(absl::string_view text, size_t lo, size_t first) {
  if (lo == 0) return 0;
  for (size_t i = lo; i < first; ++i) {
    if (IsSpace(text[i])) {
      while (i < first && IsSpace(text[i])) ++i;
      return i;
    }
  }
  while (lo < first && IsContinuation(text[lo])) ++lo;
  return lo;
}

// The end of a snippet that must contain up to `last`: at the last space in
// [last, hi), else the code point boundary at or before hi.
size_t CutEnd(absl::string_view text, size_t last, size_t hi) {
  if (hi >= text.size()) return text.size();
  for (size_t i = hi; i > last; --i) {
    if (IsSpace(text[i - 1])) {
      size_t end = i - 1;
      while (end > last && IsSpace(text[end - 1])) --end;
      return end;
    }
  }
  while (hi > last && IsContinuation(text[hi])) --hi;
  return hi;
}

// Appends the snippets of one field, whose highlights `hs` are sorted and
// inside the text, until `out` holds `limit`.
void FieldSnippets(Highlight::Field field, absl::string_view text,
                   const std::vector<match::Highlight>& hs,
                   const SnippetOptions& options, size_t limit,
                   std::vector<Snippet>& out) {
  size_t i = 0;
  while (i < hs.size() && out.size() < limit) {
    size_t lo = 0;
    size_t hi = text.size();
    size_t j = i + 1;  // highlights [i, j) go in this snippet
    if (text.size() <= options.max_bytes) {
      j = hs.size();
    } else {
      const size_t first = hs[i].begin;
      lo = first > options.context_bytes ? first - options.context_bytes : 0;
      size_t last = hs[i].end;
      while (j < hs.size() && hs[j].end <= lo + options.max_bytes) {
        last = std::max<size_t>(last, hs[j].end);
        ++j;
      }
      hi =
          std::min(text.size(),
                   std::max<size_t>(last, std::min(last + options.context_bytes,
                                                   lo + options.max_bytes)));
      lo = CutStart(text, lo, first);
      hi = CutEnd(text, last, hi);
    }
    Snippet& s = out.emplace_back();
    s.set_field(field);
    s.set_text(std::string(text.substr(lo, hi - lo)));
    s.set_begin(static_cast<uint32_t>(lo));
    s.set_more_after(hi < text.size());
    for (size_t k = i; k < j; ++k) {
      Highlight* h = s.add_highlights();
      h->set_field(field);
      h->set_begin(static_cast<uint32_t>(hs[k].begin - lo));
      h->set_end(static_cast<uint32_t>(hs[k].end - lo));
    }
    i = j;
  }
}

}  // namespace

std::vector<Snippet> BuildSnippets(
    absl::string_view title, absl::string_view body,
    absl::Span<const match::Highlight> highlights,
    const SnippetOptions& options) {
  std::vector<match::Highlight> in_title;
  std::vector<match::Highlight> in_body;
  for (const match::Highlight& h : highlights) {
    const bool is_title = h.field == match::Field::kTitle;
    const size_t size = is_title ? title.size() : body.size();
    if (h.begin >= h.end || h.end > size) continue;
    (is_title ? in_title : in_body).push_back(h);
  }
  const auto by_offset = [](const match::Highlight& a,
                            const match::Highlight& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  };
  std::sort(in_title.begin(), in_title.end(), by_offset);
  std::sort(in_body.begin(), in_body.end(), by_offset);
  std::vector<Snippet> out;
  FieldSnippets(Highlight::TITLE, title, in_title, options,
                options.max_snippets, out);
  FieldSnippets(Highlight::BODY, body, in_body, options, options.max_snippets,
                out);
  return out;
}

}  // namespace nw::ingest
