// File: server/base/ids.h
//
// The alphabet of the names clients choose: article ids, rule ids and
// subscriber names. They end up in logs, file names of exports, URLs and
// terminals, so they are plain ASCII: letters, digits and the URL-safe
// . _ - : @ + = ~ / # ? & % ! $ , ; (a URL may be an id), starting with a
// letter or a digit, with no ".." (no path tricks, no white space, quotes or
// backslashes, no bidi overrides or look-alike letters).
#ifndef NW_SERVER_BASE_IDS_H_
#define NW_SERVER_BASE_IDS_H_

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace nw::base {

// OK, or InvalidArgument naming `what` ("article id") and the rule broken:
// empty, over `max_bytes`, a character outside the alphabet (with its byte
// offset), a first character that is not a letter or digit, or "..".
absl::Status CheckId(absl::string_view what, absl::string_view id,
                     size_t max_bytes);

}  // namespace nw::base

#endif  // NW_SERVER_BASE_IDS_H_
