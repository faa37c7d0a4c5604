#include "server/delivery/webhook_dispatcher.h"

#include <curl/curl.h>
#include <sys/socket.h>

#include <algorithm>
#include <deque>
#include <mutex>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "server/base/log.h"
#include "server/base/status_macros.h"
#include "server/delivery/alert_json.h"
#include "server/delivery/signature.h"
#include "server/delivery/webhook_url.h"

namespace nw::delivery {

using ::google::protobuf::util::TimeUtil;
using ::newswatch::v1::Alert;
using ::newswatch::v1::Webhook;
using ::newswatch::v1::WebhookRecord;

struct WebhookDispatcher::Endpoint {
  // Guarded by the dispatcher's mu_.
  WebhookRecord record;  // state, last_error, failing_since kept current
  uint64_t delivered = 0;
  bool removed = false;
  bool in_flight = false;
  int failures = 0;  // in a row
  absl::Time next_attempt = absl::InfinitePast();
  metrics::Counter* deliveries = nullptr;
  metrics::Counter* failed = nullptr;

  // The loop thread's alone.
  std::deque<Alert> queue;  // read ahead from the log, front = next to send
  uint64_t queued_through = 0;
  bool maybe_more = true;  // the last read filled the queue: read again now
};

struct WebhookDispatcher::Request {
  std::shared_ptr<Endpoint> ep;
  std::string id;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  std::string body;
  uint64_t cursor = 0;
  bool refused_internal = false;  // the connection went to an internal address
  char error[CURL_ERROR_SIZE] = {};
  ~Request() {
    curl_slist_free_all(headers);
    if (easy != nullptr) curl_easy_cleanup(easy);
  }
};

namespace {

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t DiscardBody(char*, size_t size, size_t count, void*) {
  return size * count;
}

// Connections to internal addresses are refused here, after DNS, so that a
// name that resolved to a public address when the webhook was added cannot
// later lead to an internal one.
curl_socket_t OpenPublicSocket(void* clientp, curlsocktype,
                               curl_sockaddr* address) {
  if (IsInternalAddress(&address->addr)) {
    static_cast<bool*>(clientp)[0] = true;
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype, address->protocol);
}

// The host of a URL, for logs (a URL's path or query may hold a secret, as
// chat services' incoming-webhook URLs do).
std::string HostOf(const std::string& url) {
  CURLU* u = curl_url();
  std::string host = "?";
  char* value = nullptr;
  if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_HOST, &value, 0) == CURLUE_OK) {
    host = value;
    curl_free(value);
  }
  curl_url_cleanup(u);
  return host;
}

google::protobuf::Timestamp ToProto(absl::Time t) {
  return TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(t));
}

}  // namespace

WebhookDispatcher::WebhookDispatcher(storage::Db& db,
                                     const storage::AlertLog& log,
                                     const base::Clock& clock,
                                     WebhookOptions options)
    : log_(log),
      store_(db),
      clock_(clock),
      options_(std::move(options)),
      own_metrics_(options_.metrics ? nullptr
                                    : std::make_unique<metrics::Registry>()) {
  metrics::Registry& registry =
      options_.metrics ? *options_.metrics : *own_metrics_;
  deliveries_ = &registry.AddCounterFamily(
      "newswatch_webhook_deliveries_total",
      "Alerts a webhook endpoint acknowledged (2xx).", {"hook"});
  failures_ = &registry.AddCounterFamily(
      "newswatch_webhook_failures_total",
      "Webhook attempts that failed (transport error, timeout, non-2xx).",
      {"hook"});
  registry.AddCallbackGaugeFamily(
      "newswatch_webhook_lag_alerts",
      "Alerts of the webhook's subscriber not yet acknowledged by it.",
      {"hook"}, [this] {
        std::vector<std::tuple<std::string, std::string, uint64_t>> hooks;
        {
          absl::MutexLock lock(&mu_);
          for (const auto& [id, ep] : endpoints_) {
            hooks.emplace_back(id, ep->record.webhook().subscriber(),
                               ep->delivered);
          }
        }
        metrics::Registry::LabeledValues values;
        for (const auto& [id, subscriber, delivered] : hooks) {
          absl::StatusOr<uint64_t> last = store_.LastAlertCursor(subscriber);
          const uint64_t lag =
              last.ok() && *last > delivered ? *last - delivered : 0;
          values.push_back({{id}, static_cast<double>(lag)});
        }
        return values;
      });
}

absl::StatusOr<std::unique_ptr<WebhookDispatcher>> WebhookDispatcher::Start(
    storage::Db& db, const storage::AlertLog& log, const base::Clock& clock,
    WebhookOptions options) {
  InitCurlOnce();
  auto d = std::unique_ptr<WebhookDispatcher>(
      new WebhookDispatcher(db, log, clock, std::move(options)));
  NW_ASSIGN_OR_RETURN(std::vector<storage::StoredHook> hooks,
                      d->store_.LoadHooks());
  NW_ASSIGN_OR_RETURN(uint64_t number, d->store_.LastHookNumber());
  {
    absl::MutexLock w(&d->write_mu_);
    d->last_hook_number_ = number;
  }
  {
    absl::MutexLock lock(&d->mu_);
    for (storage::StoredHook& hook : hooks) {
      auto ep = std::make_shared<Endpoint>();
      const std::string id = hook.record.webhook().id();
      ep->record = std::move(hook.record);
      if (ep->record.webhook().state() != Webhook::PAUSED) {
        ep->record.mutable_webhook()->set_state(Webhook::ACTIVE);
      }
      ep->delivered = hook.cursor;
      ep->queued_through = hook.cursor;
      ep->deliveries = &d->deliveries_->WithLabels({id});
      ep->failed = &d->failures_->WithLabels({id});
      d->endpoints_[id] = std::move(ep);
    }
  }
  d->multi_ = curl_multi_init();
  if (d->multi_ == nullptr) {
    return absl::InternalError("WebhookDispatcher: curl_multi_init failed");
  }
  d->loop_ = std::thread([raw = d.get()] { raw->Loop(); });
  return d;
}

WebhookDispatcher::~WebhookDispatcher() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  Wake();
  if (loop_.joinable()) loop_.join();
  if (multi_ != nullptr) curl_multi_cleanup(static_cast<CURLM*>(multi_));
}

void WebhookDispatcher::Wake() {
  if (multi_ != nullptr) curl_multi_wakeup(static_cast<CURLM*>(multi_));
}

Webhook WebhookDispatcher::Describe(const Endpoint& ep) const {
  Webhook out = ep.record.webhook();
  out.set_delivered_cursor(ep.delivered);
  return out;
}

absl::StatusOr<AddedWebhook> WebhookDispatcher::Add(
    const std::string& subscriber, const std::string& url, std::string secret,
    std::optional<uint64_t> after_cursor) {
  if (subscriber.empty()) {
    return absl::InvalidArgumentError("AddWebhook: give the subscriber");
  }
  NW_RETURN_IF_ERROR(CheckWebhookUrl(url, options_.allow_private));
  AddedWebhook added;
  if (secret.empty()) {
    NW_ASSIGN_OR_RETURN(std::string made, NewWebhookSecret());
    secret = made;
    added.generated_secret = made;
  }
  uint64_t cursor = 0;
  if (after_cursor) {
    cursor = *after_cursor;
  } else {
    NW_ASSIGN_OR_RETURN(uint64_t last, store_.LastAlertCursor(subscriber));
    cursor = last;
  }
  absl::MutexLock w(&write_mu_);
  const uint64_t number = last_hook_number_ + 1;
  WebhookRecord record;
  Webhook& hook = *record.mutable_webhook();
  hook.set_id(absl::StrCat("h-", number));
  hook.set_subscriber(subscriber);
  hook.set_url(url);
  *hook.mutable_created_at() = ToProto(clock_.Now());
  hook.set_state(Webhook::ACTIVE);
  record.set_secret(secret);
  NW_RETURN_IF_ERROR(store_.AddHook(record, number, cursor));
  last_hook_number_ = number;
  auto ep = std::make_shared<Endpoint>();
  ep->record = record;
  ep->delivered = cursor;
  ep->queued_through = cursor;
  ep->deliveries = &deliveries_->WithLabels({hook.id()});
  ep->failed = &failures_->WithLabels({hook.id()});
  {
    absl::MutexLock lock(&mu_);
    added.webhook = Describe(*ep);
    endpoints_[hook.id()] = std::move(ep);
  }
  base::LogInfo(
      "delivery", "webhook added",
      {{"hook", hook.id()}, {"subscriber", subscriber}, {"host", HostOf(url)}});
  Wake();
  return added;
}

absl::StatusOr<std::vector<Webhook>> WebhookDispatcher::List(
    const std::string& subscriber) const {
  std::vector<Webhook> out;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [id, ep] : endpoints_) {
      if (subscriber.empty() || ep->record.webhook().subscriber() == subscriber)
        out.push_back(Describe(*ep));
    }
  }
  for (Webhook& hook : out) {
    NW_ASSIGN_OR_RETURN(uint64_t last,
                        store_.LastAlertCursor(hook.subscriber()));
    hook.set_last_cursor(last);
  }
  return out;
}

absl::StatusOr<Webhook> WebhookDispatcher::Get(const std::string& id) const {
  Webhook hook;
  {
    absl::MutexLock lock(&mu_);
    auto it = endpoints_.find(id);
    if (it == endpoints_.end()) {
      return absl::NotFoundError(absl::StrCat("no webhook with id '", id, "'"));
    }
    hook = Describe(*it->second);
  }
  NW_ASSIGN_OR_RETURN(uint64_t last, store_.LastAlertCursor(hook.subscriber()));
  hook.set_last_cursor(last);
  return hook;
}

absl::Status WebhookDispatcher::Remove(const std::string& id) {
  absl::MutexLock w(&write_mu_);
  {
    absl::MutexLock lock(&mu_);
    auto it = endpoints_.find(id);
    if (it == endpoints_.end()) {
      return absl::NotFoundError(absl::StrCat("no webhook with id '", id, "'"));
    }
    it->second->removed = true;
    endpoints_.erase(it);
  }
  Wake();  // the loop drops its request in flight
  base::LogInfo("delivery", "webhook removed", {{"hook", id}});
  return store_.DeleteHook(id);
}

absl::StatusOr<Webhook> WebhookDispatcher::Resume(const std::string& id) {
  absl::MutexLock w(&write_mu_);
  WebhookRecord record;
  Webhook described;
  {
    absl::MutexLock lock(&mu_);
    auto it = endpoints_.find(id);
    if (it == endpoints_.end()) {
      return absl::NotFoundError(absl::StrCat("no webhook with id '", id, "'"));
    }
    Endpoint& ep = *it->second;
    ep.record.mutable_webhook()->set_state(Webhook::ACTIVE);
    ep.record.mutable_webhook()->clear_failing_since();
    ep.failures = 0;
    ep.next_attempt = absl::InfinitePast();
    record = ep.record;
    described = Describe(ep);
  }
  NW_RETURN_IF_ERROR(store_.UpdateHook(record));
  Wake();
  return described;
}

void WebhookDispatcher::Refill(Endpoint& ep, absl::Time now) {
  std::string subscriber;
  {
    absl::MutexLock lock(&mu_);
    subscriber = ep.record.webhook().subscriber();
  }
  absl::StatusOr<std::vector<Alert>> alerts =
      log_.ReadAfter(subscriber, ep.queued_through, options_.queue_limit);
  if (absl::IsOutOfRange(alerts.status())) {
    // Retention deleted alerts the endpoint never got: they cannot be
    // delivered any more; go on from the oldest one still stored.
    absl::StatusOr<uint64_t> oldest = store_.OldestAlertCursor(subscriber);
    if (oldest.ok() && *oldest > ep.queued_through + 1) {
      absl::MutexLock lock(&mu_);
      ep.record.mutable_webhook()->set_last_error(
          absl::StrCat("alerts ", ep.queued_through + 1, "-", *oldest - 1,
                       " were deleted by retention before delivery"));
      ep.queued_through = *oldest - 1;
      ep.maybe_more = true;
      return;
    }
  }
  if (!alerts.ok()) {
    base::LogWarning("delivery", "webhook: reading the alert log failed",
                     {{"error", alerts.status().ToString()}});
    ep.maybe_more = false;
    return;
  }
  ep.maybe_more = alerts->size() == options_.queue_limit;
  for (Alert& alert : *alerts) {
    ep.queued_through = alert.cursor();
    ep.queue.push_back(std::move(alert));
  }
}

void WebhookDispatcher::StartRequest(const std::shared_ptr<Endpoint>& ep,
                                     absl::Time now) {
  auto request = std::make_unique<Request>();
  request->ep = ep;
  request->cursor = ep->queue.front().cursor();
  request->body = AlertJson(ep->queue.front());
  std::string url;
  std::string secret;
  std::string subscriber;
  {
    absl::MutexLock lock(&mu_);
    if (ep->removed) return;
    ep->in_flight = true;
    request->id = ep->record.webhook().id();
    url = ep->record.webhook().url();
    secret = ep->record.secret();
    subscriber = ep->record.webhook().subscriber();
  }
  const int64_t timestamp = absl::ToUnixSeconds(now);
  for (const std::string& header : {
           std::string("Content-Type: application/json"),
           absl::StrCat(kSignatureHeader, ": ",
                        SignatureHeaderValue(secret, timestamp, request->body)),
           absl::StrCat("Idempotency-Key: ", request->cursor),
           absl::StrCat("Newswatch-Cursor: ", request->cursor),
           absl::StrCat("Newswatch-Subscriber: ", subscriber),
           absl::StrCat("Newswatch-Webhook-Id: ", request->id),
           std::string("User-Agent: newswatchd"),
           std::string("Expect:"),  // no 100-continue round trip
       }) {
    request->headers = curl_slist_append(request->headers, header.c_str());
  }
  CURL* easy = curl_easy_init();
  request->easy = easy;
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_POST, 1L);
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request->body.data());
  curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                   static_cast<curl_off_t>(request->body.size()));
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, request->headers);
  curl_easy_setopt(
      easy, CURLOPT_TIMEOUT_MS,
      static_cast<long>(absl::ToInt64Milliseconds(options_.request_timeout)));
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(easy, CURLOPT_PROXY, "");  // never via an env proxy
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options_.ca_file.empty()) {
    curl_easy_setopt(easy, CURLOPT_CAINFO, options_.ca_file.c_str());
  }
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, DiscardBody);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, request->error);
  if (!options_.allow_private) {
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, OpenPublicSocket);
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, &request->refused_internal);
  }
  curl_multi_add_handle(static_cast<CURLM*>(multi_), easy);
  requests_[easy] = std::move(request);
}

void WebhookDispatcher::Finish(Request& request, int curl_code) {
  long status = 0;
  curl_easy_getinfo(request.easy, CURLINFO_RESPONSE_CODE, &status);
  curl_off_t retry_after = 0;
  curl_easy_getinfo(request.easy, CURLINFO_RETRY_AFTER, &retry_after);
  const bool ok = curl_code == CURLE_OK && status >= 200 && status < 300;
  std::string error;
  if (request.refused_internal) {
    error =
        "refused: the host resolved to an internal address (see "
        "--allow-private-webhooks)";
  } else if (curl_code != CURLE_OK) {
    error = absl::StrCat(curl_easy_strerror(static_cast<CURLcode>(curl_code)),
                         request.error[0] ? ": " : "", request.error);
  } else if (!ok) {
    error = absl::StrCat("HTTP ", status);
  }
  const absl::Time now = clock_.Now();
  Endpoint& ep = *request.ep;
  static thread_local absl::BitGen random;
  absl::MutexLock lock(&mu_);
  ep.in_flight = false;
  if (ep.removed) return;
  Webhook& hook = *ep.record.mutable_webhook();
  if (ok) {
    ep.delivered = request.cursor;
    if (!ep.queue.empty() && ep.queue.front().cursor() == request.cursor) {
      ep.queue.pop_front();
    }
    ep.failures = 0;
    ep.next_attempt = absl::InfinitePast();
    hook.set_state(Webhook::ACTIVE);
    hook.clear_last_error();
    hook.clear_failing_since();
    ep.deliveries->Increment();
    acknowledged_.emplace_back(request.id, request.cursor);
    return;
  }
  ep.failed->Increment();
  ++ep.failures;
  if (!hook.has_failing_since()) *hook.mutable_failing_since() = ToProto(now);
  hook.set_last_error(error);
  const absl::Time failing_since = absl::FromUnixNanos(
      TimeUtil::TimestampToNanoseconds(hook.failing_since()));
  if (options_.retry.ShouldPause(failing_since, now)) {
    hook.set_state(Webhook::PAUSED);
    changed_records_.push_back(ep.record);
    base::LogWarning("delivery", "webhook paused: failing for too long",
                     {{"hook", request.id},
                      {"host", HostOf(hook.url())},
                      {"cursor", request.cursor},
                      {"error", error}});
    return;
  }
  hook.set_state(Webhook::RETRYING);
  absl::Duration delay = options_.retry.Delay(
      ep.failures, absl::Uniform<double>(random, 0.0, 1.0));
  if (retry_after > 0) {
    delay = std::max(delay,
                     std::min(absl::Seconds(retry_after), options_.retry.max));
  }
  ep.next_attempt = now + delay;
}

void WebhookDispatcher::Persist() {
  if (acknowledged_.empty() && changed_records_.empty()) return;
  absl::MutexLock w(&write_mu_);
  const auto removed = [this](const std::string& id) {
    absl::MutexLock lock(&mu_);
    return !endpoints_.contains(id);
  };
  std::erase_if(acknowledged_, [&](const auto& a) { return removed(a.first); });
  std::erase_if(changed_records_, [&](const WebhookRecord& r) {
    return removed(r.webhook().id());
  });
  // Only the newest cursor of each webhook matters; a batch keeps them all,
  // in order, so the last one wins.
  if (absl::Status s = store_.SetHookCursors(acknowledged_); !s.ok()) {
    base::LogWarning("delivery",
                     "webhook cursors not saved (alerts may be delivered "
                     "again after a restart)",
                     {{"error", s.ToString()}});
  }
  for (const WebhookRecord& record : changed_records_) {
    if (absl::Status s = store_.UpdateHook(record); !s.ok()) {
      base::LogWarning(
          "delivery", "webhook state not saved",
          {{"hook", record.webhook().id()}, {"error", s.ToString()}});
    }
  }
  acknowledged_.clear();
  changed_records_.clear();
}

void WebhookDispatcher::Loop() {
  CURLM* multi = static_cast<CURLM*>(multi_);
  while (true) {
    const absl::Time now = clock_.Now();
    const bool poll_due = absl::Now() >= next_poll_pass_;
    if (poll_due) next_poll_pass_ = absl::Now() + options_.poll_interval;
    std::vector<std::shared_ptr<Endpoint>> ready;
    absl::Time next_retry = absl::InfiniteFuture();
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) break;
      for (const auto& [id, ep] : endpoints_) {
        if (ep->in_flight || ep->record.webhook().state() == Webhook::PAUSED)
          continue;
        if (ep->next_attempt > now) {
          next_retry = std::min(next_retry, ep->next_attempt);
          continue;
        }
        ready.push_back(ep);
      }
    }
    // Requests of removed webhooks are dropped.
    for (auto it = requests_.begin(); it != requests_.end();) {
      bool removed;
      {
        absl::MutexLock lock(&mu_);
        removed = it->second->ep->removed;
      }
      if (removed) {
        curl_multi_remove_handle(multi, it->first);
        requests_.erase(it++);
      } else {
        ++it;
      }
    }
    for (const std::shared_ptr<Endpoint>& ep : ready) {
      if (ep->queue.empty() && (poll_due || ep->maybe_more)) Refill(*ep, now);
      if (!ep->queue.empty()) StartRequest(ep, now);
    }
    int running = 0;
    curl_multi_perform(multi, &running);
    bool finished_any = false;
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* easy = msg->easy_handle;
      const CURLcode result = msg->data.result;
      curl_multi_remove_handle(multi, easy);
      auto it = requests_.find(easy);
      if (it == requests_.end()) continue;
      Finish(*it->second, result);
      requests_.erase(it);
      finished_any = true;
    }
    Persist();
    // Go round again at once when an endpoint may send its next alert.
    absl::Duration wait =
        finished_any ? absl::ZeroDuration() : options_.poll_interval;
    if (next_retry != absl::InfiniteFuture()) {
      wait = std::min(
          wait, std::max(absl::ZeroDuration(), next_retry - clock_.Now()));
    }
    curl_multi_poll(multi, nullptr, 0,
                    static_cast<int>(absl::ToInt64Milliseconds(wait)), nullptr);
  }
  for (auto& [easy, request] : requests_) {
    curl_multi_remove_handle(multi, static_cast<CURL*>(easy));
  }
  requests_.clear();
  Persist();
}

}  // namespace nw::delivery
