// WebServer::ServeStream: GET /api/v1/alerts/stream as Server-Sent Events.
//
// The civetweb thread serving the request drives one alerts::AlertStream
// (the same delivery state as a gRPC Subscribe): the stream hands writes to
// an SseSink mailbox (it must not block), this thread writes them to the
// socket and reports back with OnWriteDone, one write in flight. Each alert
// is an event whose id: is its cursor, so the browser's automatic
// Last-Event-ID on reconnect is the resume cursor (sse.h). It polls the
// server's stop flag, so SIGTERM ends open streams promptly.
#include <civetweb.h>

#include <optional>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "server/web/json_convert.h"
#include "server/web/sse.h"
#include "server/web/web_server.h"

namespace nw::web {
namespace {

constexpr char kSubscribe[] = "/newswatch.v1.AlertService/Subscribe";
// How often an idle stream looks at the server's stop flag.
constexpr absl::Duration kStopPoll = absl::Milliseconds(200);

// Thread safety: the AlertStream calls the AlertSink methods with its own
// mutex held; they only fill the mailbox under mu_ (lock order: stream,
// then sink), and the serving thread takes from it without the stream's.
class SseSink final : public alerts::AlertSink {
 public:
  void StartAlertsWrite(std::vector<newswatch::v1::Alert> alerts) override {
    absl::MutexLock lock(&mu_);
    alerts_ = std::move(alerts);
    has_write_ = true;
  }
  void StartHeartbeatWrite(uint64_t last_cursor) override {
    absl::MutexLock lock(&mu_);
    heartbeat_ = last_cursor;
    has_write_ = true;
  }
  void FinishStream(const absl::Status& status) override {
    absl::MutexLock lock(&mu_);
    finished_ = status;
  }

  struct Work {
    std::vector<newswatch::v1::Alert> alerts;
    std::optional<uint64_t> heartbeat;
    std::optional<absl::Status> finished;
  };
  // Waits up to `timeout` for a write or the end; returns what there is.
  Work Take(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&Ready, this), timeout);
    Work w;
    if (has_write_) {
      w.alerts = std::move(alerts_);
      alerts_.clear();
      w.heartbeat = heartbeat_;
      heartbeat_.reset();
      has_write_ = false;
    } else {
      w.finished = finished_;
    }
    return w;
  }

 private:
  static bool Ready(SseSink* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) {
    return s->has_write_ || s->finished_.has_value();
  }

  absl::Mutex mu_;
  bool has_write_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<newswatch::v1::Alert> alerts_ ABSL_GUARDED_BY(mu_);
  std::optional<uint64_t> heartbeat_ ABSL_GUARDED_BY(mu_);
  std::optional<absl::Status> finished_ ABSL_GUARDED_BY(mu_);
};

bool Write(mg_connection* conn, const std::string& text) {
  return mg_write(conn, text.data(), text.size()) > 0;
}

void SendStreamHead(mg_connection* conn) {
  // No Content-Length and no chunking: the stream ends when the connection
  // closes (civetweb and EventSource agree on this framing).
  const std::string head =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
      "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
      "Connection: close\r\n\r\n"
      // The browser reconnects after a network error in 1 s.
      "retry: 1000\n\n";
  Write(conn, head);
}

void SendError(mg_connection* conn, const absl::Status& status) {
  const std::string body = Dump(ErrorJson(status));
  const std::string text = absl::StrCat(
      "HTTP/1.1 ", HttpStatusFor(status.code()),
      " Error\r\nContent-Type: application/json\r\nContent-Length: ",
      body.size(), "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
      body);
  Write(conn, text);
}

}  // namespace

void WebServer::ServeStream(mg_connection* conn, const Request& request) {
  absl::StatusOr<auth::Principal> caller = router_.Admit(request, kSubscribe);
  if (!caller.ok()) return SendError(conn, caller.status());
  absl::StatusOr<uint64_t> after = ResumeCursor(
      request.Header("last-event-id"),
      request.query.contains("after")
          ? std::optional<absl::string_view>(request.query.at("after"))
          : std::nullopt);
  if (!after.ok()) return SendError(conn, after.status());
  // Past the cap: a 200 with "busy" (a non-200 would end the EventSource
  // for good); the page backs off and retries.
  if (open_streams_.fetch_add(1) >= options_.max_streams) {
    open_streams_.fetch_sub(1);
    SendStreamHead(conn);
    Write(conn,
          SseEvent("busy", std::nullopt,
                   Dump(ErrorJson(absl::ResourceExhaustedError(absl::StrCat(
                       "the console serves at most ", options_.max_streams,
                       " live streams; retrying"))))));
    return;
  }
  struct Release {
    std::atomic<size_t>& n;
    ~Release() { n.fetch_sub(1); }
  } release{open_streams_};
  absl::StatusOr<std::shared_ptr<alerts::AlertStream>> stream =
      alerts_.Open(*caller, {.subscriber = request.Query("subscriber"),
                             .after_cursor = *after,
                             .max_batch = 64,
                             .credential = router_.StreamCredential(request)});
  if (absl::IsOutOfRange(stream.status())) {
    // A cursor past the newest alert (the data dir was restored from an
    // older copy): an HTTP error would only make EventSource retry without
    // a word, so the page gets the reason as an event.
    SendStreamHead(conn);
    Write(conn,
          SseEvent("failure", std::nullopt, Dump(ErrorJson(stream.status()))));
    return;
  }
  if (!stream.ok()) return SendError(conn, stream.status());
  const std::string subscriber = (*stream)->subscriber();
  auto labels = router_.Labels(subscriber);
  SendStreamHead(conn);
  Write(conn, SseEvent("hello", std::nullopt,
                       Dump(nlohmann::json{{"subscriber", subscriber},
                                           {"after", *after}})));
  SseSink sink;
  (*stream)->Start(&sink);
  bool cancelled = false;
  absl::Status end;
  while (true) {
    if (stopping_ && !cancelled) {
      cancelled = true;
      (*stream)->Cancel();
    }
    SseSink::Work work = sink.Take(kStopPoll);
    if (work.finished) {
      end = *work.finished;
      break;
    }
    if (work.alerts.empty() && !work.heartbeat) continue;
    std::string text;
    if (work.heartbeat) {
      text = SseEvent("heartbeat", std::nullopt,
                      absl::StrCat("{\"last_cursor\":", *work.heartbeat, "}"));
    }
    for (const newswatch::v1::Alert& alert : work.alerts) {
      // A rule made after the stream opened: fetch the labels again.
      for (const std::string& id : alert.rule_ids()) {
        if (!labels.contains(id)) {
          labels = router_.Labels(subscriber);
          break;
        }
      }
      text +=
          SseEvent("alert", alert.cursor(), router_.AlertText(alert, labels));
    }
    const bool ok = Write(conn, text);
    (*stream)->OnWriteDone(ok);
    if (!ok && !cancelled) {
      cancelled = true;
      (*stream)->Cancel();
    }
  }
  if (absl::IsOutOfRange(end)) {
    // Retention deleted alerts the page had not seen: it starts over from
    // the oldest stored one.
    Write(conn, SseEvent("truncated", std::nullopt, Dump(ErrorJson(end))));
  } else if (!end.ok() && !absl::IsCancelled(end)) {
    // Not "error": EventSource fires its own "error" for network trouble.
    Write(conn, SseEvent("failure", std::nullopt, Dump(ErrorJson(end))));
  }
  alerts_.Close(*stream);
  (*stream)->Detach();
}

}  // namespace nw::web
