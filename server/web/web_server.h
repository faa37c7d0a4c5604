// File: server/web/web_server.h
//
// The analyst web console of newswatchd (issue 11), on civetweb: the pages
// and scripts embedded from web/ (assets.h), the JSON API (api_router.h) and
// the live alert stream as Server-Sent Events (web_stream.cc: events hello,
// alert, heartbeat, busy, truncated, failure) under /api/v1.
// Every response carries a strict Content-Security-Policy (no inline script
// or style, same-origin only), nosniff and no-referrer.
//
// Listening: plain HTTP only (Debian's civetweb has TLS, but the console
// does not configure it yet), so the daemon refuses a non-loopback
// --web-listen unless --insecure without a token file (web_listen.h).
//
// Thread safety: construction and destruction from one thread; requests are
// served on civetweb's threads (max_streams + 8 of them).
#ifndef NW_SERVER_WEB_WEB_SERVER_H_
#define NW_SERVER_WEB_WEB_SERVER_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/web/api_router.h"
#include "server/web/http_types.h"

struct mg_context;
struct mg_connection;

namespace nw::web {

struct WebOptions {
  // "host:port" (IPv4 or localhost; Debian's civetweb has no IPv6); port 0
  // picks a free one (see port()).
  std::string listen = "127.0.0.1:7380";
  // Concurrent alert streams; past it a stream gets "event: busy" and is
  // closed (a non-200 would stop the browser's EventSource for good).
  // Default: 32.
  size_t max_streams = 32;
};

class WebServer {
 public:
  // Starts serving; `router` (and what it uses) must outlive the server.
  // InvalidArgument for a malformed address; Unavailable when it cannot be
  // bound.
  static absl::StatusOr<std::unique_ptr<WebServer>> Start(
      const WebOptions& options, ApiRouter& router, api::AlertApi& alerts);
  // Ends every alert stream promptly, then stops civetweb (which waits for
  // the handlers in progress).
  ~WebServer();

  int port() const { return port_; }
  // Alert streams open now.
  size_t open_streams() const { return open_streams_.load(); }

 private:
  WebServer(const WebOptions& options, ApiRouter& router, api::AlertApi& alerts)
      : options_(options), router_(router), alerts_(alerts) {}
  static int HandleRequest(mg_connection* conn, void* self);
  void Serve(mg_connection* conn, const Request& request);
  void ServeStream(mg_connection* conn, const Request& request);

  const WebOptions options_;
  ApiRouter& router_;
  api::AlertApi& alerts_;
  std::vector<std::string> allowed_hosts_;  // Host headers accepted
  std::atomic<bool> stopping_{false};
  std::atomic<size_t> open_streams_{0};
  mg_context* ctx_ = nullptr;
  int port_ = 0;
};

}  // namespace nw::web

#endif  // NW_SERVER_WEB_WEB_SERVER_H_
