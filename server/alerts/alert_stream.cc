#include "server/alerts/alert_stream.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace nw::alerts {

AlertStream::AlertStream(std::string subscriber, uint64_t after_cursor,
                         const storage::AlertReader& log,
                         base::ThreadPool& reader, AlertStreamOptions options)
    : subscriber_(std::move(subscriber)),
      start_after_(after_cursor),
      log_(log),
      reader_(reader),
      options_(options),
      next_cursor_(after_cursor + 1) {}

AlertStream::~AlertStream() {
  absl::MutexLock lock(&mu_);
  ReleaseSlotLocked();
  ClearLocked();
  SetLaggingLocked(false);
}

void AlertStream::AttachMetrics(AlertMetrics* metrics) {
  absl::MutexLock lock(&mu_);
  metrics_ = metrics;
  metrics_->queued.Add(static_cast<int64_t>(queue_.size()));
  if (lagging_) metrics_->catching_up.Add(1);
}

void AlertStream::PushLocked(newswatch::v1::Alert alert) {
  queue_.push_back(std::move(alert));
  if (metrics_) metrics_->queued.Add(1);
}

void AlertStream::PopLocked() {
  queue_.pop_front();
  if (metrics_) metrics_->queued.Add(-1);
}

void AlertStream::ClearLocked() {
  if (metrics_) metrics_->queued.Add(-static_cast<int64_t>(queue_.size()));
  queue_.clear();
}

void AlertStream::SetLaggingLocked(bool lagging) {
  if (metrics_ && lagging != lagging_)
    metrics_->catching_up.Add(lagging ? 1 : -1);
  lagging_ = lagging;
}

void AlertStream::SetPublished(uint64_t last_cursor, bool live_only) {
  absl::MutexLock lock(&mu_);
  published_ = last_cursor;
  if (live_only) next_cursor_ = last_cursor + 1;
  // Anything already committed that the client has not seen comes from the log.
  SetLaggingLocked(next_cursor_ <= published_);
}

void AlertStream::Offer(const newswatch::v1::Alert& alert) { OfferImpl(alert); }

void AlertStream::Offer(newswatch::v1::Alert&& alert) {
  OfferImpl(std::move(alert));
}

template <typename A>
void AlertStream::OfferImpl(A&& alert) {
  absl::MutexLock lock(&mu_);
  if (finished_) return;
  published_ = std::max(published_, alert.cursor());
  const uint64_t have =
      queue_.empty() ? next_cursor_ - 1 : queue_.back().cursor();
  if (alert.cursor() <= have) return;  // already read from the log
  if (!lagging_) {
    if (alert.cursor() == have + 1 &&
        queue_.size() < options_.max_queued_alerts) {
      PushLocked(std::forward<A>(alert));
    } else {
      // A slow reader: drop the queue (memory stays bounded) and serve it
      // from the log, from where it is.
      SetLaggingLocked(true);
      ClearLocked();
    }
  }
  PumpLocked();
}

void AlertStream::Start(AlertSink* sink) {
  absl::MutexLock lock(&mu_);
  sink_ = sink;
  if (!lagging_ && queue_.empty()) {
    // Nothing to replay: a first heartbeat tells the client the stream is
    // open and live.
    writing_ = true;
    last_write_ = absl::Now();
    sink_->StartHeartbeatWrite(published_);
    return;
  }
  PumpLocked();
}

void AlertStream::MaybeHeartbeat(absl::Time now, absl::Duration interval) {
  absl::MutexLock lock(&mu_);
  if (sink_ == nullptr || finished_ || writing_ || cancelled_) return;
  if (lagging_ || !queue_.empty() || now - last_write_ < interval) return;
  writing_ = true;
  last_write_ = now;
  sink_->StartHeartbeatWrite(published_);
}

void AlertStream::OnWriteDone(bool ok) {
  absl::MutexLock lock(&mu_);
  writing_ = false;
  if (!ok) cancelled_ = true;
  PumpLocked();
}

void AlertStream::Cancel() {
  absl::MutexLock lock(&mu_);
  cancelled_ = true;
  PumpLocked();
}

void AlertStream::End(const absl::Status& status) {
  absl::MutexLock lock(&mu_);
  cancelled_ = true;
  if (end_status_.ok()) end_status_ = status;
  PumpLocked();
}

void AlertStream::Detach() {
  absl::MutexLock lock(&mu_);
  sink_ = nullptr;
  finished_ = true;
  ReleaseSlotLocked();
}

void AlertStream::ReleaseSlotLocked() {
  if (!has_slot_) return;
  has_slot_ = false;
  options_.replay_gate->Release();
}

void AlertStream::FinishLocked(const absl::Status& status) {
  ReleaseSlotLocked();
  if (finished_ || sink_ == nullptr) return;
  finished_ = true;
  ClearLocked();
  SetLaggingLocked(false);
  sink_->FinishStream(status);
}

void AlertStream::PumpLocked() {
  if (sink_ == nullptr || finished_) {
    ReleaseSlotLocked();
    return;
  }
  if (writing_) return;
  if (cancelled_) {
    FinishLocked(end_status_.ok()
                     ? absl::CancelledError("alert stream cancelled")
                     : end_status_);
    return;
  }
  if (!queue_.empty()) {
    writing_ = true;
    last_write_ = absl::Now();
    const size_t n =
        std::min(queue_.size(), std::max<size_t>(options_.max_batch, 1));
    std::vector<newswatch::v1::Alert> alerts;
    alerts.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      alerts.push_back(std::move(queue_.front()));
      PopLocked();
    }
    next_cursor_ = alerts.back().cursor() + 1;
    if (metrics_) metrics_->delivered.Increment(n);
    sink_->StartAlertsWrite(std::move(alerts));
    return;
  }
  // What the slot's read brought is written: the next stream's turn.
  ReleaseSlotLocked();
  if (lagging_ && !reading_) {
    reading_ = true;
    auto read = [self = shared_from_this(), after = next_cursor_ - 1] {
      self->reader_.Schedule([self, after] { self->ReadFromLog(after); });
    };
    if (options_.replay_gate != nullptr) {
      options_.replay_gate->Acquire(std::move(read));
    } else {
      read();
    }
  }
}

void AlertStream::ReadFromLog(uint64_t after_cursor) {
  {
    // Ended while it waited for its turn: give the turn on at once.
    absl::MutexLock lock(&mu_);
    if (finished_) {
      reading_ = false;
      has_slot_ = options_.replay_gate != nullptr;
      ReleaseSlotLocked();
      return;
    }
  }
  // On the reader pool: RocksDB reads never run on a reactor thread.
  absl::StatusOr<std::vector<newswatch::v1::Alert>> alerts =
      log_.ReadAfter(subscriber_, after_cursor, options_.catch_up_batch);
  absl::MutexLock lock(&mu_);
  reading_ = false;
  has_slot_ = options_.replay_gate != nullptr;
  if (!alerts.ok()) {
    FinishLocked(alerts.status());
    return;
  }
  // From cursor 0 ("every alert still stored"), retention may have deleted
  // the first ones: start at the oldest kept (for any other cursor the log
  // reports such a gap as OutOfRange), or after the newest when none is kept.
  if (next_cursor_ == 1 && queue_.empty()) {
    if (!alerts->empty()) {
      next_cursor_ = std::max(next_cursor_, alerts->front().cursor());
    } else if (published_ > 0) {
      next_cursor_ = published_ + 1;
    }
  }
  for (newswatch::v1::Alert& alert : *alerts) {
    const uint64_t expected =
        queue_.empty() ? next_cursor_ : queue_.back().cursor() + 1;
    if (alert.cursor() == expected) PushLocked(std::move(alert));
  }
  if (queue_.empty() && next_cursor_ <= published_) {
    // Committed alerts are always readable, so the next ones were deleted
    // meanwhile: re-reading would spin. The client resumes from 0.
    FinishLocked(absl::OutOfRangeError(absl::StrCat(
        "alerts of ", subscriber_, " after cursor ", next_cursor_ - 1,
        " were deleted by retention while the stream replayed them; resume "
        "from 0")));
    return;
  }
  const uint64_t read_upto =
      queue_.empty() ? next_cursor_ - 1 : queue_.back().cursor();
  // Caught up with everything committed: live alerts from here on continue
  // the queue without a gap.
  if (read_upto >= published_) SetLaggingLocked(false);
  PumpLocked();
}

}  // namespace nw::alerts
