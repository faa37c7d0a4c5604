// File: server/delivery/email_dispatcher.h
//
// Mails each subscriber's alerts as its e-mail settings say: one message per
// alert (IMMEDIATE), or one digest per UTC hour or day (HOURLY, DAILY) with
// every alert created in that period, grouped by rule (email_message.h).
// Digests of a period with no alerts are not sent.
//
// Durability: each subscriber has a mailed-up-to cursor. Before a message
// is sent, the exact range of alerts it holds and its Message-ID are
// written (synced) as the subscriber's pending message; after the relay
// accepted it, the cursor moves past the range and the pending record goes,
// in one synced write. After a crash the pending message is sent again with
// the same alerts and Message-ID; no alert is lost or put in two different
// messages. Only a crash after the relay accepted a message and before the
// cursor write sends that same message twice (mail clients drop the
// duplicate Message-ID).
//
// Time comes from the injected clock: tests move it by an hour instead of
// waiting. A failed send is retried with backoff (RetryPolicy; pausing does
// not apply: mail keeps being retried at the backoff ceiling).
//
// Thread safety: all public methods may be called concurrently.
#ifndef NW_SERVER_DELIVERY_EMAIL_DISPATCHER_H_
#define NW_SERVER_DELIVERY_EMAIL_DISPATCHER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "newswatch/v1/delivery_service.pb.h"
#include "server/base/clock.h"
#include "server/delivery/retry_policy.h"
#include "server/delivery/smtp_sender.h"
#include "server/metrics/registry.h"
#include "storage/alert_log.h"
#include "storage/delivery_store.h"

namespace nw::delivery {

struct EmailOptions {
  SmtpOptions smtp;
  RetryPolicy retry;
  // How often the background thread looks for mail to send. Default: 1 s.
  absl::Duration check_interval = absl::Seconds(1);
  // Alerts per digest message; a busier period gets several. Default: 500.
  size_t max_digest_alerts = 500;
  // Run a background thread calling RunOnce every check_interval. Tests
  // turn it off and call RunOnce. Default: true.
  bool background = true;
  // Where the metrics go; must outlive the dispatcher. Default: private.
  metrics::Registry* metrics = nullptr;
};

class EmailDispatcher {
 public:
  // The references must outlive the dispatcher.
  static std::unique_ptr<EmailDispatcher> Start(storage::Db& db,
                                                const storage::AlertLog& log,
                                                const base::Clock& clock,
                                                EmailOptions options);
  ~EmailDispatcher();

  // Replaces `settings.subscriber()`'s settings (recipients and mode);
  // no recipients removes them. Mails alerts after `after_cursor`; nullopt:
  // where existing settings were, else after the subscriber's newest alert.
  // InvalidArgument for a missing subscriber or mode, a bad address, more
  // than 50 recipients. Returns the settings as Get would.
  absl::StatusOr<newswatch::v1::EmailSettings> Set(
      const newswatch::v1::EmailSettings& settings,
      std::optional<uint64_t> after_cursor);
  // NotFound when the subscriber has no e-mail settings.
  absl::StatusOr<newswatch::v1::EmailSettings> Get(
      const std::string& subscriber) const;

  // Sends every message due at the clock's current time (pending ones
  // first). Returns how many messages the relay accepted.
  int RunOnce();

 private:
  struct Backoff {
    int failures = 0;
    absl::Time next_try = absl::InfinitePast();
    std::string last_error;
  };
  EmailDispatcher(storage::Db& db, const storage::AlertLog& log,
                  const base::Clock& clock, EmailOptions options);
  // Writes validated settings (Set's work).
  absl::Status Store(const newswatch::v1::EmailSettings& settings,
                     std::optional<uint64_t> after_cursor);
  // Sends the subscriber's next due message; false when none is due (or it
  // failed, recorded in backoff_).
  bool SendNext(const std::string& subscriber, absl::Time now);

  const storage::AlertLog& log_;
  storage::DeliveryStore store_;
  const base::Clock& clock_;
  const EmailOptions options_;
  std::unique_ptr<metrics::Registry> own_metrics_;
  metrics::Counter* sent_ = nullptr;
  metrics::Counter* failed_ = nullptr;

  absl::Mutex run_mu_;  // one RunOnce at a time
  // Serializes read-modify-write of the stored records (Set vs. RunOnce);
  // held across those small RocksDB writes, never across a send.
  mutable absl::Mutex mu_ ABSL_ACQUIRED_AFTER(run_mu_);
  absl::flat_hash_map<std::string, Backoff> backoff_ ABSL_GUARDED_BY(mu_);

  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace nw::delivery

#endif  // NW_SERVER_DELIVERY_EMAIL_DISPATCHER_H_
