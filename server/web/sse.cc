#include "server/web/sse.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace nw::web {
namespace {

absl::StatusOr<uint64_t> ParseCursor(absl::string_view field,
                                     absl::string_view value) {
  value = absl::StripAsciiWhitespace(value);
  uint64_t cursor = 0;
  if (value.empty() || !absl::ascii_isdigit(value[0]) ||
      !absl::SimpleAtoi(value, &cursor)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " '", value.substr(0, 40),
                     "' is not an alert cursor (a number, e.g. 42)"));
  }
  return cursor;
}

}  // namespace

std::string SseEvent(absl::string_view event, std::optional<uint64_t> id,
                     absl::string_view data) {
  std::string out;
  if (id) absl::StrAppend(&out, "id: ", *id, "\n");
  absl::StrAppend(&out, "event: ", event, "\n");
  for (absl::string_view line : absl::StrSplit(data, absl::ByAnyChar("\r\n")))
    absl::StrAppend(&out, "data: ", line, "\n");
  out += "\n";
  return out;
}

std::string SseComment(absl::string_view text) {
  return absl::StrCat(": ", text, "\n\n");
}

absl::StatusOr<uint64_t> ResumeCursor(
    std::optional<absl::string_view> last_event_id,
    std::optional<absl::string_view> after) {
  if (last_event_id && !last_event_id->empty())
    return ParseCursor("Last-Event-ID", *last_event_id);
  if (after && !after->empty()) return ParseCursor("after", *after);
  return 0;
}

}  // namespace nw::web
