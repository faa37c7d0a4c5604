// spdlog formatters for server/base/log.h: they frame a payload that Log()
// has already rendered (component, message, fields) with the time (RFC 3339,
// UTC, microseconds) and the level. Internal to the log library.
#ifndef NW_SERVER_BASE_LOG_FORMATTERS_H_
#define NW_SERVER_BASE_LOG_FORMATTERS_H_

#include <memory>

#include "spdlog/formatter.h"

namespace nw::base {

// <ts> <level> <payload>\n
class TextLineFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg,
              spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<TextLineFormatter>();
  }
};

// {"ts":"<ts>","level":"<level>",<payload>}\n, the payload being JSON members.
class JsonLineFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg,
              spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonLineFormatter>();
  }
};

}  // namespace nw::base

#endif  // NW_SERVER_BASE_LOG_FORMATTERS_H_
