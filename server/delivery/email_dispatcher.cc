#include "server/delivery/email_dispatcher.h"

#include <vector>

#include "absl/random/random.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "server/base/log.h"
#include "server/base/status_macros.h"
#include "server/delivery/email_message.h"

namespace nw::delivery {
namespace {

using ::google::protobuf::util::TimeUtil;
using ::newswatch::v1::Alert;
using ::newswatch::v1::EmailRecord;
using ::newswatch::v1::EmailSettings;
using ::newswatch::v1::PendingEmail;

constexpr size_t kMaxRecipients = 50;

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixNanos(TimeUtil::TimestampToNanoseconds(t));
}
google::protobuf::Timestamp ToProto(absl::Time t) {
  return TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(t));
}

absl::Duration PeriodOf(EmailSettings::Mode mode) {
  return mode == EmailSettings::DAILY ? absl::Hours(24) : absl::Hours(1);
}

// The start of the UTC hour or day `now` is in.
absl::Time PeriodStart(EmailSettings::Mode mode, absl::Time now) {
  const int64_t period = absl::ToInt64Seconds(PeriodOf(mode));
  const int64_t s = absl::ToUnixSeconds(now);
  return absl::FromUnixSeconds(s - ((s % period) + period) % period);
}

std::string MessageId(absl::string_view kind, absl::string_view subscriber,
                      uint64_t from, uint64_t to) {
  return absl::StrCat(kind, ".", from + 1, "-", to, ".",
                      absl::BytesToHexString(subscriber.substr(0, 32)),
                      "@newswatch");
}

}  // namespace

EmailDispatcher::EmailDispatcher(storage::Db& db, const storage::AlertLog& log,
                                 const base::Clock& clock, EmailOptions options)
    : log_(log),
      store_(db),
      clock_(clock),
      options_(std::move(options)),
      own_metrics_(options_.metrics ? nullptr
                                    : std::make_unique<metrics::Registry>()) {
  metrics::Registry& registry =
      options_.metrics ? *options_.metrics : *own_metrics_;
  sent_ = &registry.AddCounter("newswatch_email_messages_sent_total",
                               "Alert e-mails and digests the relay accepted.");
  failed_ = &registry.AddCounter("newswatch_email_send_failures_total",
                                 "E-mail sends that failed (retried).");
}

std::unique_ptr<EmailDispatcher> EmailDispatcher::Start(
    storage::Db& db, const storage::AlertLog& log, const base::Clock& clock,
    EmailOptions options) {
  auto d = std::unique_ptr<EmailDispatcher>(
      new EmailDispatcher(db, log, clock, std::move(options)));
  if (d->options_.background) {
    d->thread_ = std::thread([raw = d.get()] {
      while (!raw->stop_.WaitForNotificationWithTimeout(
          raw->options_.check_interval)) {
        raw->RunOnce();
      }
    });
  }
  return d;
}

EmailDispatcher::~EmailDispatcher() {
  stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<EmailSettings> EmailDispatcher::Set(
    const EmailSettings& settings, std::optional<uint64_t> after_cursor) {
  const std::string& subscriber = settings.subscriber();
  if (subscriber.empty()) {
    return absl::InvalidArgumentError("SetEmailSettings: give the subscriber");
  }
  if (settings.recipients_size() > static_cast<int>(kMaxRecipients)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "SetEmailSettings: at most ", kMaxRecipients, " recipients"));
  }
  for (const std::string& r : settings.recipients()) {
    NW_RETURN_IF_ERROR(CheckEmailAddress(r));
  }
  if (settings.recipients().empty()) {
    absl::MutexLock lock(&mu_);
    backoff_.erase(subscriber);
    NW_RETURN_IF_ERROR(store_.DeleteEmail(subscriber));
    EmailSettings off;
    off.set_subscriber(subscriber);
    return off;
  }
  if (settings.mode() == EmailSettings::MODE_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        "SetEmailSettings: give the mode (immediate, hourly or daily)");
  }
  NW_RETURN_IF_ERROR(Store(settings, after_cursor));
  return Get(subscriber);
}

absl::Status EmailDispatcher::Store(const EmailSettings& settings,
                                    std::optional<uint64_t> after_cursor) {
  const std::string& subscriber = settings.subscriber();
  absl::MutexLock lock(&mu_);
  NW_ASSIGN_OR_RETURN(std::optional<storage::StoredEmail> existing,
                      store_.GetEmail(subscriber));
  EmailRecord record;
  if (existing.has_value()) record = existing->record;
  EmailSettings& stored = *record.mutable_settings();
  stored.set_subscriber(subscriber);
  *stored.mutable_recipients() = settings.recipients();
  stored.set_mode(settings.mode());
  if (!record.has_digest_done_until()) {
    // The current period's digest starts now: only what comes after.
    *record.mutable_digest_done_until() =
        ToProto(PeriodStart(settings.mode(), clock_.Now()));
  }
  std::optional<uint64_t> cursor = after_cursor;
  if (!cursor && !existing.has_value()) {
    NW_ASSIGN_OR_RETURN(uint64_t last, store_.LastAlertCursor(subscriber));
    cursor = last;
  }
  NW_RETURN_IF_ERROR(store_.PutEmail(record, cursor));
  base::LogInfo(
      "delivery", "e-mail settings changed",
      {{"subscriber", subscriber}, {"recipients", settings.recipients_size()}});
  return absl::OkStatus();
}

absl::StatusOr<EmailSettings> EmailDispatcher::Get(
    const std::string& subscriber) const {
  NW_ASSIGN_OR_RETURN(std::optional<storage::StoredEmail> stored,
                      store_.GetEmail(subscriber));
  if (!stored.has_value()) {
    return absl::NotFoundError(
        absl::StrCat("subscriber '", subscriber, "' has no e-mail delivery"));
  }
  EmailSettings out = stored->record.settings();
  out.set_delivered_cursor(stored->cursor);
  NW_ASSIGN_OR_RETURN(uint64_t last, store_.LastAlertCursor(subscriber));
  out.set_last_cursor(last);
  absl::MutexLock lock(&mu_);
  if (auto it = backoff_.find(subscriber); it != backoff_.end()) {
    out.set_last_error(it->second.last_error);
  }
  return out;
}

int EmailDispatcher::RunOnce() {
  absl::MutexLock run(&run_mu_);
  absl::StatusOr<std::vector<storage::StoredEmail>> emails =
      store_.LoadEmails();
  if (!emails.ok()) {
    base::LogWarning("delivery", "e-mail: reading settings failed",
                     {{"error", emails.status().ToString()}});
    return 0;
  }
  int sent = 0;
  for (const storage::StoredEmail& email : *emails) {
    const std::string& subscriber = email.record.settings().subscriber();
    // Bounded per run so one busy subscriber does not starve the others.
    for (int i = 0; i < 100 && SendNext(subscriber, clock_.Now()); ++i) {
      ++sent;
    }
  }
  return sent;
}

bool EmailDispatcher::SendNext(const std::string& subscriber, absl::Time now) {
  EmailRecord record;
  uint64_t cursor = 0;
  std::optional<PendingEmail> pending;
  {
    absl::MutexLock lock(&mu_);
    if (auto it = backoff_.find(subscriber);
        it != backoff_.end() && it->second.next_try > now) {
      return false;
    }
    absl::StatusOr<std::optional<storage::StoredEmail>> stored =
        store_.GetEmail(subscriber);
    if (!stored.ok() || !stored->has_value()) return false;
    record = (*stored)->record;
    cursor = (*stored)->cursor;
    pending = (*stored)->pending;
  }
  const EmailSettings::Mode mode = record.settings().mode();
  const bool digest = mode != EmailSettings::IMMEDIATE;
  bool period_complete = true;
  std::vector<Alert> alerts;
  if (pending) {
    absl::StatusOr<std::vector<Alert>> range =
        log_.ReadAfter(subscriber, pending->from_cursor(),
                       pending->to_cursor() - pending->from_cursor());
    if (!range.ok()) return false;
    alerts = *std::move(range);
  } else if (!digest) {
    absl::StatusOr<std::vector<Alert>> next =
        log_.ReadAfter(subscriber, cursor, 1);
    if (!next.ok() || next->empty()) return false;
    alerts = *std::move(next);
  } else {
    const absl::Time boundary = PeriodStart(mode, now);
    if (FromProto(record.digest_done_until()) >= boundary) return false;
    absl::StatusOr<std::vector<Alert>> next =
        log_.ReadAfter(subscriber, cursor, options_.max_digest_alerts);
    if (!next.ok()) return false;
    for (Alert& alert : *next) {
      if (FromProto(alert.created_at()) >= boundary) break;
      alerts.push_back(std::move(alert));
    }
    period_complete = alerts.size() < options_.max_digest_alerts ||
                      next->size() > alerts.size();
    if (alerts.empty()) {
      absl::MutexLock lock(&mu_);
      *record.mutable_digest_done_until() = ToProto(boundary);
      (void)store_.PutEmail(record, std::nullopt);
      return false;
    }
  }
  if (!pending) {
    if (alerts.empty()) return false;
    PendingEmail p;
    p.set_from_cursor(cursor);
    p.set_to_cursor(alerts.back().cursor());
    if (digest) {
      *p.mutable_period_end() = ToProto(PeriodStart(mode, now));
      p.set_message_id(MessageId(period_complete ? "digest" : "digest-part",
                                 subscriber, cursor, p.to_cursor()));
    } else {
      p.set_message_id(MessageId("alert", subscriber, cursor, p.to_cursor()));
    }
    absl::MutexLock lock(&mu_);
    if (absl::Status s = store_.PutPendingEmail(subscriber, p); !s.ok()) {
      return false;
    }
    pending = p;
  }
  const EmailEnvelope envelope{
      .from = options_.smtp.from,
      .recipients = {record.settings().recipients().begin(),
                     record.settings().recipients().end()},
      .message_id = pending->message_id(),
      .date = now};
  std::string message;
  if (pending->has_period_end()) {
    const absl::Time end = FromProto(pending->period_end());
    message =
        DigestEmail(envelope, subscriber, end - PeriodOf(mode), end, alerts);
  } else {
    message = AlertEmail(envelope, alerts.front());
  }
  absl::Status sent = SendMail(options_.smtp, envelope.recipients, message);
  absl::MutexLock lock(&mu_);
  Backoff& backoff = backoff_[subscriber];
  if (!sent.ok()) {
    failed_->Increment();
    ++backoff.failures;
    backoff.last_error = std::string(sent.message());
    static thread_local absl::BitGen random;
    backoff.next_try =
        now + options_.retry.Delay(backoff.failures,
                                   absl::Uniform<double>(random, 0.0, 1.0));
    base::LogWarning(
        "delivery", "e-mail not sent; will retry",
        {{"subscriber", subscriber}, {"error", backoff.last_error}});
    return false;
  }
  backoff_.erase(subscriber);
  sent_->Increment();
  // Re-read: settings may have changed while sending.
  absl::StatusOr<std::optional<storage::StoredEmail>> current =
      store_.GetEmail(subscriber);
  if (!current.ok() || !current->has_value()) return true;
  EmailRecord updated = (*current)->record;
  if (pending->has_period_end() && period_complete &&
      FromProto(updated.digest_done_until()) <
          FromProto(pending->period_end())) {
    *updated.mutable_digest_done_until() = pending->period_end();
  }
  if (absl::Status s = store_.FinishEmail(updated, pending->to_cursor());
      !s.ok()) {
    base::LogWarning("delivery", "e-mail cursor not saved",
                     {{"subscriber", subscriber}, {"error", s.ToString()}});
    return false;
  }
  return true;
}

}  // namespace nw::delivery
