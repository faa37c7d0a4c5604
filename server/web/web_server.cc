#include "server/web/web_server.h"

#include <civetweb.h>

#include <cstring>
#include <mutex>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "server/base/log.h"
#include "server/base/status_macros.h"
#include "server/web/assets.h"
#include "server/web/json_convert.h"
#include "server/web/web_auth.h"

namespace nw::web {
namespace {

// Request bodies (rules, tokens) are small.
constexpr long long kMaxBodyBytes = 1 << 20;

constexpr char kSecurityHeaders[] =
    "Content-Security-Policy: default-src 'self'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Referrer-Policy: no-referrer\r\n"
    "X-Frame-Options: DENY\r\n";

absl::StatusOr<std::pair<std::string, int>> SplitListen(
    const std::string& listen) {
  const size_t colon = listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(listen.substr(colon + 1), &port) || port < 0 ||
      port > 65535 || absl::StartsWith(listen, "[")) {
    return absl::InvalidArgumentError(
        absl::StrCat("--web-listen '", listen,
                     "': want IPv4-host:port, e.g. 127.0.0.1:7380, or off"));
  }
  std::string host = listen.substr(0, colon);
  if (host == "localhost") host = "127.0.0.1";
  return std::make_pair(host, port);
}

std::string UrlDecode(absl::string_view s) {
  std::string out(s.size() + 1, '\0');
  const int n = mg_url_decode(s.data(), static_cast<int>(s.size()), out.data(),
                              static_cast<int>(out.size()), 1);
  out.resize(n < 0 ? 0 : static_cast<size_t>(n));
  return out;
}

// Reads the request; nullopt when its body is over kMaxBodyBytes (whether
// it says so in Content-Length or arrives chunked, without one).
std::optional<Request> ReadRequest(mg_connection* conn) {
  const mg_request_info* info = mg_get_request_info(conn);
  if (info->content_length > kMaxBodyBytes) return std::nullopt;
  Request r;
  r.method = info->request_method ? info->request_method : "";
  r.path = info->local_uri ? info->local_uri : "/";
  if (info->query_string != nullptr) {
    for (absl::string_view kv :
         absl::StrSplit(info->query_string, '&', absl::SkipEmpty())) {
      std::pair<absl::string_view, absl::string_view> p =
          absl::StrSplit(kv, absl::MaxSplits('=', 1));
      r.query[UrlDecode(p.first)] = UrlDecode(p.second);
    }
  }
  for (int i = 0; i < info->num_headers; ++i) {
    r.headers[absl::AsciiStrToLower(info->http_headers[i].name)] =
        info->http_headers[i].value;
  }
  // A chunked body has no Content-Length (-1): read it to its end, one byte
  // past the limit at most.
  const bool chunked =
      info->content_length < 0 &&
      absl::EqualsIgnoreCase(r.Header("transfer-encoding").value_or(""),
                             "chunked");
  if (info->content_length > 0 || chunked) {
    const size_t want =
        chunked ? kMaxBodyBytes + 1 : static_cast<size_t>(info->content_length);
    r.body.resize(want);
    size_t got = 0;
    while (got < r.body.size()) {
      const int n = mg_read(conn, r.body.data() + got, r.body.size() - got);
      if (n <= 0) break;
      got += static_cast<size_t>(n);
    }
    r.body.resize(got);
    if (got > static_cast<size_t>(kMaxBodyBytes)) return std::nullopt;
  }
  return r;
}

const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 429:
      return "Too Many Requests";
    case 503:
      return "Service Unavailable";
    default:
      return status < 500 ? "Client Error" : "Server Error";
  }
}

void Send(mg_connection* conn, const Response& response,
          absl::string_view cache = "no-store") {
  std::string head =
      absl::StrCat("HTTP/1.1 ", response.status, " ", Reason(response.status),
                   "\r\nContent-Type: ", response.content_type,
                   "\r\nContent-Length: ", response.body.size(),
                   "\r\nCache-Control: ", cache, "\r\n", kSecurityHeaders);
  for (const auto& [name, value] : response.headers)
    absl::StrAppend(&head, name, ": ", value, "\r\n");
  head += "Connection: close\r\n\r\n";
  mg_write(conn, head.data(), head.size());
  if (!response.body.empty())
    mg_write(conn, response.body.data(), response.body.size());
}

Response ErrorResponse(const absl::Status& status) {
  return Response{.status = HttpStatusFor(status.code()),
                  .body = Dump(ErrorJson(status))};
}

}  // namespace

absl::StatusOr<std::unique_ptr<WebServer>> WebServer::Start(
    const WebOptions& options, ApiRouter& router, api::AlertApi& alerts) {
  std::pair<std::string, int> hp;
  NW_ASSIGN_OR_RETURN(hp, SplitListen(options.listen));
  static std::once_flag init_once;
  std::call_once(init_once, [] { mg_init_library(0); });
  auto server =
      std::unique_ptr<WebServer>(new WebServer(options, router, alerts));
  const std::string ports = hp.first.empty() || hp.first == "0.0.0.0"
                                ? absl::StrCat(hp.second)
                                : absl::StrCat(hp.first, ":", hp.second);
  // Streams hold a thread each; the spare ones serve pages and the API. A
  // connection that sends nothing holds a thread until request_timeout_ms,
  // so the spares are many and the timeout short.
  const std::string threads = absl::StrCat(options.max_streams + 32);
  const char* civet_options[] = {"listening_ports",
                                 ports.c_str(),
                                 "num_threads",
                                 threads.c_str(),
                                 "request_timeout_ms",
                                 "10000",
                                 "enable_keep_alive",
                                 "no",
                                 nullptr};
  mg_callbacks callbacks;
  std::memset(&callbacks, 0, sizeof callbacks);
  mg_init_data init{.callbacks = &callbacks,
                    .user_data = nullptr,
                    .configuration_options = civet_options};
  char error_text[256] = "";
  unsigned error_code = 0;
  mg_error_data error{.code = &error_code,
                      .text = error_text,
                      .text_buffer_size = sizeof error_text};
  server->ctx_ = mg_start2(&init, &error);
  if (server->ctx_ == nullptr) {
    return absl::UnavailableError(absl::StrCat(
        "cannot serve the web console on ", options.listen, ": ", error_text,
        " (pick another --web-listen, or --web-listen=off)"));
  }
  mg_server_port bound[1];
  if (mg_get_server_ports(server->ctx_, 1, bound) < 1) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve the web console on ", options.listen));
  }
  server->port_ = bound[0].port;
  if (hp.first == "127.0.0.1") {
    server->allowed_hosts_ = {absl::StrCat("127.0.0.1:", server->port_),
                              absl::StrCat("localhost:", server->port_)};
  } else if (!hp.first.empty() && hp.first != "0.0.0.0") {
    server->allowed_hosts_ = {absl::StrCat(hp.first, ":", server->port_)};
  }
  mg_set_request_handler(server->ctx_, "/", &WebServer::HandleRequest,
                         server.get());
  return server;
}

WebServer::~WebServer() {
  stopping_ = true;  // streams notice within their poll interval
  if (ctx_ != nullptr) mg_stop(ctx_);
}

int WebServer::HandleRequest(mg_connection* conn, void* self) {
  std::optional<Request> request = ReadRequest(conn);
  if (!request) {
    Response r =
        ErrorResponse(absl::InvalidArgumentError("request body over 1 MiB"));
    r.status = 413;
    Send(conn, r);
    return 413;
  }
  auto* server = static_cast<WebServer*>(self);
  server->Serve(conn, *request);
  return 200;
}

void WebServer::Serve(mg_connection* conn, const Request& request) {
  if (absl::Status s = CheckHost(request, allowed_hosts_); !s.ok()) {
    Send(conn, ErrorResponse(s));
    return;
  }
  if (request.path == "/api/v1/alerts/stream") {
    ServeStream(conn, request);
    return;
  }
  if (absl::StartsWith(request.path, "/api/")) {
    Send(conn, router_.Handle(request));
    return;
  }
  const Asset* asset = FindAsset(request.path);
  if (asset == nullptr ||
      (request.method != "GET" && request.method != "HEAD")) {
    Send(conn, Response{.status = 404,
                        .content_type = "text/plain; charset=utf-8",
                        .body = "not found: the console is at /\n"});
    return;
  }
  if (request.Header("if-none-match") ==
      absl::string_view(asset->etag.data(), asset->etag.size())) {
    Send(conn,
         Response{.status = 304,
                  .content_type = std::string(asset->content_type)},
         "no-cache");
    return;
  }
  Response r{.content_type = std::string(asset->content_type),
             .body = request.method == "HEAD" ? "" : std::string(asset->data)};
  r.headers.emplace_back("ETag", std::string(asset->etag));
  Send(conn, r, "no-cache");
}

}  // namespace nw::web
