// File: server/metrics/http_server.h
//
// Serves a Registry over HTTP for Prometheus: GET /metrics returns
// Registry::Render() in the text format 0.0.4. GET /healthz answers 200
// "SERVING" or 503 "NOT_SERVING" (for probes that cannot speak gRPC health
// over TLS). Every other path is 404.
// There is no authentication: bind it to loopback or an internal address
// (the operator's network decides who may scrape). Uses civetweb.
//
// Thread safety: construction and destruction from one thread; requests are
// served on the server's own threads.
#ifndef NW_SERVER_METRICS_HTTP_SERVER_H_
#define NW_SERVER_METRICS_HTTP_SERVER_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/metrics/registry.h"

struct mg_context;
struct mg_connection;

namespace nw::metrics {

class MetricsHttpServer {
 public:
  // Starts serving `registry` (which must outlive the server) on `listen`,
  // "IPv4:port", "[IPv6]:port" or "localhost:port"; port 0 picks a free
  // port. Errors: InvalidArgument for a malformed address, Unavailable when
  // the address cannot be bound (in use, not local). `healthy` answers
  // /healthz (null: always serving); it runs on a server thread.
  static absl::StatusOr<std::unique_ptr<MetricsHttpServer>> Start(
      const std::string& listen, const Registry& registry,
      std::function<bool()> healthy = nullptr);
  // Stops accepting and waits for requests in progress.
  ~MetricsHttpServer();

  // The port bound.
  int port() const { return port_; }

 private:
  MetricsHttpServer(const Registry& registry, std::function<bool()> healthy)
      : registry_(registry), healthy_(std::move(healthy)) {}
  static int HandleMetrics(mg_connection* conn, void* self);
  static int HandleHealth(mg_connection* conn, void* self);

  const Registry& registry_;
  const std::function<bool()> healthy_;
  mg_context* ctx_ = nullptr;
  int port_ = 0;
};

}  // namespace nw::metrics

#endif  // NW_SERVER_METRICS_HTTP_SERVER_H_
