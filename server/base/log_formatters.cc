#include "server/base/log_formatters.h"

#include <chrono>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "server/base/log.h"

namespace nw::base {
namespace {

std::string Rfc3339(std::chrono::system_clock::time_point t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::FromChrono(t),
                          absl::UTCTimeZone());
}

// The names ParseLogLevel accepts, so that a filter can be read back.
absl::string_view LevelName(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return "debug";
    case spdlog::level::info:
      return "info";
    case spdlog::level::warn:
      return "warning";
    default:
      return "error";
  }
}

void Append(spdlog::memory_buf_t& dest, absl::string_view s) {
  dest.append(s.data(), s.data() + s.size());
}

}  // namespace

void TextLineFormatter::format(const spdlog::details::log_msg& msg,
                               spdlog::memory_buf_t& dest) {
  Append(dest, Rfc3339(msg.time));
  Append(dest, " ");
  Append(dest, LevelName(msg.level));
  Append(dest, " ");
  Append(dest, absl::string_view(msg.payload.data(), msg.payload.size()));
  Append(dest, "\n");
}

void JsonLineFormatter::format(const spdlog::details::log_msg& msg,
                               spdlog::memory_buf_t& dest) {
  Append(dest, "{\"ts\":\"");
  Append(dest, Rfc3339(msg.time));
  Append(dest, "\",\"level\":\"");
  Append(dest, LevelName(msg.level));
  Append(dest, "\",");
  Append(dest, absl::string_view(msg.payload.data(), msg.payload.size()));
  Append(dest, "}\n");
}

}  // namespace nw::base
