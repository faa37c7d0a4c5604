// File: server/base/utf8.h
//
// The one UTF-8 check of the tree: request strings, article fields, rule
// text and log output all go through it, so they agree on what is valid.
#ifndef NW_SERVER_BASE_UTF8_H_
#define NW_SERVER_BASE_UTF8_H_

#include <cstddef>
#include <optional>

#include "absl/strings/string_view.h"

namespace nw::base {

// Length (1-4) of the valid UTF-8 sequence starting at text[i], or 0 when
// none starts there: overlong forms, surrogates, code points past U+10FFFF
// and truncated sequences are invalid (RFC 3629). REQUIRES: i < text.size().
size_t Utf8SequenceLength(absl::string_view text, size_t i);

// The byte offset of the first invalid UTF-8 sequence in `text`, or nullopt
// when all of it is valid UTF-8.
std::optional<size_t> FindInvalidUtf8(absl::string_view text);

}  // namespace nw::base

#endif  // NW_SERVER_BASE_UTF8_H_
