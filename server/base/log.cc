#include "server/base/log.h"

#include <atomic>
#include <memory>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "server/base/log_formatters.h"
#include "spdlog/logger.h"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace nw::base {
namespace {

std::atomic<LogFormat> g_format{LogFormat::kText};
// Run once, by the first ConfigureLogging or the first line logged before it.
std::once_flag g_configured;

spdlog::level::level_enum ToSpdlog(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return spdlog::level::debug;
    case LogLevel::kInfo:
      return spdlog::level::info;
    case LogLevel::kWarning:
      return spdlog::level::warn;
    case LogLevel::kError:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

void Install(LogLevel level, LogFormat format);

// The process's logger: the defaults when nothing configured it yet.
spdlog::logger& Logger() {
  std::call_once(g_configured,
                 [] { Install(LogLevel::kInfo, LogFormat::kText); });
  return *spdlog::default_logger_raw();
}

// Text values with spaces, quotes or control characters are quoted, so a
// line splits into key=value pairs unambiguously.
void AppendTextValue(std::string& out, absl::string_view v) {
  const bool plain =
      !v.empty() && v.find_first_of(" \"=\\\n\r\t") == absl::string_view::npos;
  if (plain) {
    out.append(v.data(), v.size());
  } else {
    AppendJsonString(out, v);
  }
}

}  // namespace

absl::StatusOr<LogLevel> ParseLogLevel(absl::string_view name) {
  const std::string n =
      absl::AsciiStrToLower(absl::string_view(name.data(), name.size()));
  if (n == "debug") return LogLevel::kDebug;
  if (n == "info") return LogLevel::kInfo;
  if (n == "warning" || n == "warn") return LogLevel::kWarning;
  if (n == "error") return LogLevel::kError;
  return absl::InvalidArgumentError(absl::StrCat(
      "log level '", name, "': want debug, info, warning or error"));
}

absl::StatusOr<LogFormat> ParseLogFormat(absl::string_view name) {
  if (name == "text") return LogFormat::kText;
  if (name == "json") return LogFormat::kJson;
  return absl::InvalidArgumentError(
      absl::StrCat("log format '", name, "': want text or json"));
}

LogField::LogField(absl::string_view key, double value)
    : key_(key), value_(absl::StrCat(value)), quoted_(false) {}

void ConfigureLogging(LogLevel level, LogFormat format) {
  std::call_once(g_configured, [] {});
  Install(level, format);
}

namespace {

void Install(LogLevel level, LogFormat format) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  if (format == LogFormat::kJson) {
    sink->set_formatter(std::make_unique<JsonLineFormatter>());
  } else {
    sink->set_formatter(std::make_unique<TextLineFormatter>());
  }
  auto logger = std::make_shared<spdlog::logger>("newswatch", std::move(sink));
  logger->set_level(ToSpdlog(level));
  // Warnings and errors reach the disk even if the process dies right after.
  logger->flush_on(spdlog::level::warn);
  g_format.store(format, std::memory_order_relaxed);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace

bool LogEnabled(LogLevel level) { return Logger().should_log(ToSpdlog(level)); }

void Log(LogLevel level, absl::string_view component, absl::string_view message,
         std::initializer_list<LogField> fields) {
  spdlog::logger& logger = Logger();
  if (!logger.should_log(ToSpdlog(level))) return;
  // The payload carries component, message and fields; the formatter adds
  // the time and level around it.
  std::string payload;
  if (g_format.load(std::memory_order_relaxed) == LogFormat::kJson) {
    payload.append("\"component\":");
    AppendJsonString(payload, component);
    payload.append(",\"msg\":");
    AppendJsonString(payload, message);
    for (const LogField& f : fields) {
      payload += ',';
      AppendJsonString(payload, f.key());
      payload += ':';
      if (f.quoted()) {
        AppendJsonString(payload, f.value());
      } else {
        payload.append(f.value().data(), f.value().size());
      }
    }
  } else {
    absl::StrAppend(&payload, component, ": ");
    // One event, one line: a message never breaks the line.
    for (char c : message) {
      if (c == '\n') {
        payload += "\\n";
      } else if (c == '\r') {
        payload += "\\r";
      } else {
        payload += c;
      }
    }
    for (const LogField& f : fields) {
      absl::StrAppend(&payload, " ", f.key(), "=");
      AppendTextValue(payload, f.value());
    }
  }
  logger.log(ToSpdlog(level),
             spdlog::string_view_t(payload.data(), payload.size()));
}

}  // namespace nw::base
