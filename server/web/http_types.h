// File: server/web/http_types.h
//
// A parsed HTTP request and the response to send, free of civetweb, so the
// web console's routing, auth and JSON handlers are testable in-process.
#ifndef NW_SERVER_WEB_HTTP_TYPES_H_
#define NW_SERVER_WEB_HTTP_TYPES_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"

namespace nw::web {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // decoded, without the query string
  absl::flat_hash_map<std::string, std::string> query;    // decoded
  absl::flat_hash_map<std::string, std::string> headers;  // lower-case names
  std::string body;

  // The header's value, or nullopt. `name` in lower case.
  std::optional<absl::string_view> Header(absl::string_view name) const {
    auto it = headers.find(name);
    if (it == headers.end()) return std::nullopt;
    return absl::string_view(it->second);
  }
  // The query parameter's value, or "" when absent.
  std::string Query(absl::string_view name) const {
    auto it = query.find(name);
    return it == query.end() ? std::string() : it->second;
  }
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra ones
};

}  // namespace nw::web

#endif  // NW_SERVER_WEB_HTTP_TYPES_H_
