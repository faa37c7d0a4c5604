#include "client/lib/text_render.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace nw::client {
namespace {

bool IsContinuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

bool IsControl(char c) {
  const unsigned char u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7F;
}

// Moves `pos` back to the first byte of the code point it is in.
size_t BackToBoundary(absl::string_view text, size_t pos) {
  while (pos > 0 && pos < text.size() && IsContinuation(text[pos])) --pos;
  return pos;
}

// Moves `pos` forward to the next code point boundary (or the end).
size_t ForwardToBoundary(absl::string_view text, size_t pos) {
  while (pos < text.size() && IsContinuation(text[pos])) ++pos;
  return pos;
}

}  // namespace

std::string OneLine(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool in_space = false;
  for (char c : text) {
    if (c == ' ' || IsControl(c)) {
      if (!in_space) out.push_back(' ');
      in_space = true;
    } else {
      out.push_back(c);
      in_space = false;
    }
  }
  return out;
}

std::string RenderSnippet(absl::string_view text, size_t begin, size_t end,
                          size_t context_bytes) {
  end = std::min(end, text.size());
  begin = std::min(begin, end);
  begin = BackToBoundary(text, begin);
  end = ForwardToBoundary(text, end);

  // Cut inside the context window, so neither side passes context_bytes.
  size_t start = begin > context_bytes ? begin - context_bytes : 0;
  start = ForwardToBoundary(text, start);
  if (start > begin) start = begin;
  size_t stop =
      std::min(text.size(), end + std::min(context_bytes, text.size() - end));
  stop = BackToBoundary(text, stop);
  if (stop < end) stop = end;

  return absl::StrCat(
      start > 0 ? "..." : "", OneLine(text.substr(start, begin - start)), "[",
      OneLine(text.substr(begin, end - begin)), "]",
      OneLine(text.substr(end, stop - end)), stop < text.size() ? "..." : "");
}

std::string RenderCaret(absl::string_view query, size_t offset,
                        absl::string_view indent) {
  std::string line(query);
  std::replace_if(line.begin(), line.end(), IsControl, ' ');
  size_t column = 0;
  const size_t limit = std::min(offset, query.size());
  for (size_t i = 0; i < limit; ++i) {
    if (!IsContinuation(query[i])) ++column;
  }
  if (offset > query.size()) column += offset - query.size();
  return absl::StrCat(indent, line, "\n", indent, std::string(column, ' '),
                      "^\n");
}

}  // namespace nw::client
