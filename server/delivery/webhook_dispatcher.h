// File: server/delivery/webhook_dispatcher.h
//
// Delivers each subscriber's alerts to its webhooks: one POST per alert (the
// Alert as JSON, alert_json.h), signed (signature.h), with the alert cursor
// as Idempotency-Key, in cursor order, at least once.
//
// Each webhook has a durable delivery cursor (storage/delivery_store.h).
// Alerts come from the subscriber's AlertLog, read ahead at most
// `queue_limit` at a time: the log is the queue, so a slow or dead endpoint
// holds no memory beyond that and never slows ingest, which does not know
// webhooks exist. One request per webhook is in flight at a time (that is
// what keeps cursor order); requests of different webhooks run concurrently
// on one thread driving a libcurl multi handle, so one stalled endpoint (it
// times out after `request_timeout`) does not hold up the others.
//
// A failed attempt (transport error, timeout, any non-2xx status) is retried
// with exponential backoff and jitter (retry_policy.h), honouring
// Retry-After; the same alert, same cursor, until the endpoint takes it. A
// webhook failing for `retry.pause_after` is paused (state and last error in
// List); ResumeWebhook restarts it from its cursor. After a restart every
// webhook resumes after its stored cursor, so an alert whose acknowledgement
// was not yet recorded is delivered again: receivers deduplicate by
// Idempotency-Key.
//
// Timing reads the injected clock, so tests can move time by hand.
//
// Thread safety: all public methods may be called concurrently. Lock order:
// write_mu_ -> mu_.
#ifndef NW_SERVER_DELIVERY_WEBHOOK_DISPATCHER_H_
#define NW_SERVER_DELIVERY_WEBHOOK_DISPATCHER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "newswatch/v1/delivery_service.pb.h"
#include "server/base/clock.h"
#include "server/delivery/retry_policy.h"
#include "server/metrics/registry.h"
#include "storage/alert_log.h"
#include "storage/delivery_store.h"

namespace nw::delivery {

struct WebhookOptions {
  RetryPolicy retry;
  // A request that has not completed in this time fails. Default: 10 s.
  absl::Duration request_timeout = absl::Seconds(10);
  // How often a webhook with nothing to send looks for new alerts in its
  // subscriber's log. Default: 200 ms.
  absl::Duration poll_interval = absl::Milliseconds(200);
  // Alerts read ahead per webhook (its queue bound). Default: 64.
  size_t queue_limit = 64;
  // Allows URLs to loopback and private addresses (webhook_url.h).
  // Default: false.
  bool allow_private = false;
  // PEM CA bundle that HTTPS endpoints' certificates must chain to.
  // Default: empty, the system's trusted roots.
  std::string ca_file;
  // Where the per-webhook metrics go (deliveries, failures, lag); must
  // outlive the dispatcher. Default: null, a private registry.
  metrics::Registry* metrics = nullptr;
};

struct AddedWebhook {
  newswatch::v1::Webhook webhook;
  std::string generated_secret;  // when the caller gave none
};

class WebhookDispatcher {
 public:
  // Loads the stored webhooks and starts delivering. The references must
  // outlive the dispatcher. Errors: reading the stored webhooks.
  static absl::StatusOr<std::unique_ptr<WebhookDispatcher>> Start(
      storage::Db& db, const storage::AlertLog& log, const base::Clock& clock,
      WebhookOptions options);
  // Stops; requests in flight are abandoned (delivered again after a
  // restart).
  ~WebhookDispatcher();

  // Registers a webhook of `subscriber` delivering the alerts after
  // `after_cursor` (nullopt: after the subscriber's newest). `secret` empty:
  // one is made and returned. InvalidArgument / PermissionDenied for a URL
  // CheckWebhookUrl refuses, InvalidArgument without a subscriber; storage
  // errors.
  absl::StatusOr<AddedWebhook> Add(const std::string& subscriber,
                                   const std::string& url, std::string secret,
                                   std::optional<uint64_t> after_cursor);
  // The webhooks of `subscriber` (every one when empty), by id, without
  // secrets.
  absl::StatusOr<std::vector<newswatch::v1::Webhook>> List(
      const std::string& subscriber) const;
  // NotFound for an unknown id.
  absl::StatusOr<newswatch::v1::Webhook> Get(const std::string& id) const;
  // Stops delivering to `id` and deletes it. NotFound for an unknown id.
  absl::Status Remove(const std::string& id);
  // A paused (or retrying) webhook tries again now. NotFound for an unknown
  // id.
  absl::StatusOr<newswatch::v1::Webhook> Resume(const std::string& id);

 private:
  struct Endpoint;
  struct Request;

  WebhookDispatcher(storage::Db& db, const storage::AlertLog& log,
                    const base::Clock& clock, WebhookOptions options);
  void Loop();
  // Reads the next alerts of `ep` into its queue when it is empty.
  void Refill(Endpoint& ep, absl::Time now);
  void StartRequest(const std::shared_ptr<Endpoint>& ep, absl::Time now);
  void Finish(Request& request, int curl_code);
  // Writes acknowledged_ and changed_records_ of webhooks not removed.
  void Persist();
  newswatch::v1::Webhook Describe(const Endpoint& ep) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Wake();

  // Constant after construction.
  const storage::AlertLog& log_;
  storage::DeliveryStore store_;
  const base::Clock& clock_;
  const WebhookOptions options_;
  std::unique_ptr<metrics::Registry> own_metrics_;
  metrics::CounterFamily* deliveries_ = nullptr;
  metrics::CounterFamily* failures_ = nullptr;
  void* multi_ = nullptr;  // CURLM*, used by the loop thread (and wakeup)

  // Serializes record writes (add, remove, pause, cursors) so a removed
  // webhook leaves no key behind. Held across a RocksDB write because the
  // check and the write must be one step.
  absl::Mutex write_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  mutable absl::Mutex mu_;
  absl::btree_map<std::string, std::shared_ptr<Endpoint>> endpoints_
      ABSL_GUARDED_BY(mu_);
  uint64_t last_hook_number_ ABSL_GUARDED_BY(write_mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;

  // The loop thread's alone.
  absl::flat_hash_map<void*, std::unique_ptr<Request>> requests_;  // by CURL*
  std::vector<std::pair<std::string, uint64_t>> acknowledged_;     // to persist
  std::vector<newswatch::v1::WebhookRecord> changed_records_;      // to persist
  absl::Time next_poll_pass_ = absl::InfinitePast();               // real time

  std::thread loop_;  // last: started when everything above exists
};

}  // namespace nw::delivery

#endif  // NW_SERVER_DELIVERY_WEBHOOK_DISPATCHER_H_
