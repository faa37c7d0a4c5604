#include "server/metrics/http_server.h"

#include <civetweb.h>

#include <cstring>
#include <mutex>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/base/status_macros.h"

namespace nw::metrics {
namespace {

// civetweb's "listening_ports" syntax: "127.0.0.1:9090", "[::1]:9090", or
// a bare port for every interface. Hostnames are not resolved by civetweb.
absl::StatusOr<std::string> ToCivetPort(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(listen.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "metrics address '", listen, "': want host:port, e.g. 127.0.0.1:9464"));
  }
  std::string host = listen.substr(0, colon);
  if (host == "localhost") host = "127.0.0.1";
  if (host.empty() || host == "0.0.0.0") return absl::StrCat(port);
  return absl::StrCat(host, ":", port);
}

}  // namespace

absl::StatusOr<std::unique_ptr<MetricsHttpServer>> MetricsHttpServer::Start(
    const std::string& listen, const Registry& registry,
    std::function<bool()> healthy) {
  NW_ASSIGN_OR_RETURN(std::string ports, ToCivetPort(listen));
  static std::once_flag init_once;
  std::call_once(init_once, [] { mg_init_library(0); });

  auto server = std::unique_ptr<MetricsHttpServer>(
      new MetricsHttpServer(registry, std::move(healthy)));
  // Two threads: scrapes are rare and short.
  const char* options[] = {"listening_ports",
                           ports.c_str(),
                           "num_threads",
                           "2",
                           "request_timeout_ms",
                           "10000",
                           "enable_keep_alive",
                           "no",
                           nullptr};
  mg_callbacks callbacks;
  std::memset(&callbacks, 0, sizeof callbacks);
  mg_init_data init{.callbacks = &callbacks,
                    .user_data = nullptr,
                    .configuration_options = options};
  char error_text[256] = "";
  unsigned error_code = 0;
  mg_error_data error{.code = &error_code,
                      .text = error_text,
                      .text_buffer_size = sizeof error_text};
  server->ctx_ = mg_start2(&init, &error);
  if (server->ctx_ == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on ", listen, ": ", error_text));
  }
  mg_set_request_handler(server->ctx_, "/metrics$",
                         &MetricsHttpServer::HandleMetrics, server.get());
  mg_set_request_handler(server->ctx_, "/healthz$",
                         &MetricsHttpServer::HandleHealth, server.get());
  mg_server_port bound[1];
  if (mg_get_server_ports(server->ctx_, 1, bound) < 1) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on ", listen));
  }
  server->port_ = bound[0].port;
  return server;
}

MetricsHttpServer::~MetricsHttpServer() {
  if (ctx_ != nullptr) mg_stop(ctx_);
}

int MetricsHttpServer::HandleMetrics(mg_connection* conn, void* self) {
  const mg_request_info* info = mg_get_request_info(conn);
  const bool head = std::strcmp(info->request_method, "HEAD") == 0;
  if (!head && std::strcmp(info->request_method, "GET") != 0) {
    mg_send_http_error(conn, 405, "GET /metrics\n");
    return 405;
  }
  const std::string body =
      static_cast<MetricsHttpServer*>(self)->registry_.Render();
  mg_send_http_ok(conn, kExpositionContentType,
                  static_cast<long long>(body.size()));
  if (!head) mg_write(conn, body.data(), body.size());
  return 200;
}

int MetricsHttpServer::HandleHealth(mg_connection* conn, void* self) {
  const auto& healthy = static_cast<MetricsHttpServer*>(self)->healthy_;
  const bool serving = !healthy || healthy();
  const std::string body = serving ? "SERVING\n" : "NOT_SERVING\n";
  const int code = serving ? 200 : 503;
  mg_printf(
      conn,
      "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
      "Cache-Control: no-store\r\nConnection: close\r\n\r\n%s",
      code, serving ? "OK" : "Service Unavailable", body.size(), body.c_str());
  return code;
}

}  // namespace nw::metrics
