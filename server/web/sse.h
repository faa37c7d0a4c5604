// File: server/web/sse.h
//
// Server-Sent Events framing (HTML Living Standard, "Server-sent events") and
// the resume cursor of the web console's alert stream. Pure functions.
#ifndef NW_SERVER_WEB_SSE_H_
#define NW_SERVER_WEB_SSE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace nw::web {

// One event: "id: <id>\n" (when given), "event: <event>\n", one "data: "
// line per line of `data` (a JSON text has none, but a "\n" or "\r" in
// `data` can never end the event early), then a blank line.
std::string SseEvent(absl::string_view event, std::optional<uint64_t> id,
                     absl::string_view data);

// A comment line (": <text>\n\n"), which the browser ignores: keeps idle
// connections open through proxies.
std::string SseComment(absl::string_view text);

// The cursor a (re)connecting stream starts after. The browser's own
// `Last-Event-ID` header (automatic reconnect) wins over `?after=`; neither
// means 0 (every stored alert). InvalidArgument naming the field when the
// value is not a decimal cursor.
absl::StatusOr<uint64_t> ResumeCursor(
    std::optional<absl::string_view> last_event_id,
    std::optional<absl::string_view> after);

}  // namespace nw::web

#endif  // NW_SERVER_WEB_SSE_H_
