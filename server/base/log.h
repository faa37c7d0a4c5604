// File: server/base/log.h
//
// The daemon's log: one line per event on stderr, at four levels, as text or
// as JSON Lines, written through spdlog. A line carries a component ("daemon",
// "ingest", "storage", "rpc", ...), a message and optional structured fields:
//
//   text: 2026-11-30T01:28:02.123456Z warning storage: write failed
//   code=INTERNAL json:
//   {"ts":"2026-11-30T01:28:02.123456Z","level":"warning","component":"storage",
//          "msg":"write failed","code":"INTERNAL"}
//
// Timestamps are RFC 3339 in UTC. JSON strings are escaped (control
// characters, quotes, invalid UTF-8 replaced by U+FFFD), so every line parses.
//
// Example:
//   base::LogWarning("daemon", "retention failed", {{"error",
//   status.ToString()}});
//
// Thread safety: Log* may be called concurrently from any thread; lines never
// interleave. ConfigureLogging must not race with Log* (call it at start-up).
#ifndef NW_SERVER_BASE_LOG_H_
#define NW_SERVER_BASE_LOG_H_

#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace nw::base {

enum class LogLevel { kDebug, kInfo, kWarning, kError };
enum class LogFormat { kText, kJson };

// "debug", "info", "warning" (or "warn"), "error". InvalidArgument otherwise.
absl::StatusOr<LogLevel> ParseLogLevel(absl::string_view name);
// "text" or "json". InvalidArgument otherwise.
absl::StatusOr<LogFormat> ParseLogFormat(absl::string_view name);

// One structured field: key=value in text, a JSON member in JSON (numbers
// and booleans unquoted).
class LogField {
 public:
  LogField(absl::string_view key, absl::string_view value)
      : key_(key), value_(value) {}
  LogField(absl::string_view key, const char* value)
      : key_(key), value_(value) {}
  LogField(absl::string_view key, const std::string& value)
      : key_(key), value_(value) {}
  LogField(absl::string_view key, bool value)
      : key_(key), value_(value ? "true" : "false"), quoted_(false) {}
  template <std::integral T>
  LogField(absl::string_view key, T value)
      : key_(key), value_(std::to_string(value)), quoted_(false) {}
  LogField(absl::string_view key, double value);

  absl::string_view key() const { return key_; }
  absl::string_view value() const { return value_; }
  bool quoted() const { return quoted_; }

 private:
  absl::string_view key_;
  std::string value_;
  bool quoted_ = true;
};

// Lines at `level` and above go to stderr in `format`, replacing any earlier
// configuration. Until the first call: info and above, text.
void ConfigureLogging(LogLevel level, LogFormat format);

// Whether a line at `level` would be written (to skip building costly ones).
bool LogEnabled(LogLevel level);

// Writes one line if `level` is enabled.
void Log(LogLevel level, absl::string_view component, absl::string_view message,
         std::initializer_list<LogField> fields = {});

inline void LogDebug(absl::string_view component, absl::string_view message,
                     std::initializer_list<LogField> fields = {}) {
  Log(LogLevel::kDebug, component, message, fields);
}
inline void LogInfo(absl::string_view component, absl::string_view message,
                    std::initializer_list<LogField> fields = {}) {
  Log(LogLevel::kInfo, component, message, fields);
}
inline void LogWarning(absl::string_view component, absl::string_view message,
                       std::initializer_list<LogField> fields = {}) {
  Log(LogLevel::kWarning, component, message, fields);
}
inline void LogError(absl::string_view component, absl::string_view message,
                     std::initializer_list<LogField> fields = {}) {
  Log(LogLevel::kError, component, message, fields);
}

// Appends `s` as a JSON string literal (with quotes) to `out`. Exposed for
// tests and for the JSON formatter.
void AppendJsonString(std::string& out, absl::string_view s);

}  // namespace nw::base

#endif  // NW_SERVER_BASE_LOG_H_
