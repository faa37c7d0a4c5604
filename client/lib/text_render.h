// File: client/lib/text_render.h
//
// Terminal rendering of article text: one-line cleanup, highlight snippets
// (byte ranges into UTF-8, never cutting a code point) and a caret line under
// a byte offset of a rule.
#ifndef NW_CLIENT_LIB_TEXT_RENDER_H_
#define NW_CLIENT_LIB_TEXT_RENDER_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace nw::client {

// `text` on one line: ASCII control characters and DEL become spaces, and a
// run of whitespace becomes one space. Other bytes are kept as they are.
std::string OneLine(absl::string_view text);

// The match [begin, end) of `text` (byte offsets) in context: up to
// `context_bytes` bytes on either side, cut only at UTF-8 code point
// boundaries, the match in [brackets], "..." where text was cut, on one line.
// Out-of-range offsets are clamped; offsets inside a code point are widened
// to the whole code point.
std::string RenderSnippet(absl::string_view text, size_t begin, size_t end,
                          size_t context_bytes = 40);

// Two lines (each ending in '\n'): `indent` + the rule text with control
// characters as spaces, then `indent` + spaces + '^' under byte `offset`
// (counted in code points; an offset past the end points just after it).
std::string RenderCaret(absl::string_view query, size_t offset,
                        absl::string_view indent = "  ");

}  // namespace nw::client

#endif  // NW_CLIENT_LIB_TEXT_RENDER_H_
