#include "server/alerts/subscription_hub.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace nw::alerts {

absl::Status SubscriptionHub::Register(
    const std::shared_ptr<AlertStream>& stream, bool live_only,
    size_t max_streams, size_t max_per_subscriber) {
  absl::MutexLock lock(&mu_);
  if (connected_ >= max_streams) {
    metrics_.refused.Increment();
    return absl::ResourceExhaustedError(
        absl::StrCat("the daemon serves ", connected_,
                     " alert streams, its limit: retry later"));
  }
  if (auto own = streams_.find(stream->subscriber());
      own != streams_.end() && own->second.size() >= max_per_subscriber) {
    metrics_.refused.Increment();
    return absl::ResourceExhaustedError(absl::StrCat(
        "subscriber ", stream->subscriber(), " has ", own->second.size(),
        " open alert streams, the limit per subscriber "
        "(--max-streams-per-subscriber): close one first"));
  }
  auto it = last_cursors_.find(stream->subscriber());
  const uint64_t newest = it == last_cursors_.end() ? 0 : it->second;
  if (!live_only && stream->start_after() > newest) {
    // Clients only ever see cursors up to the newest: this one comes from
    // elsewhere (a cursor file kept across a restored backup, a typo).
    return absl::OutOfRangeError(absl::StrCat(
        "from_cursor ", stream->start_after(), " is past the newest alert of ",
        stream->subscriber(), " (cursor ", newest, "): resume from ", newest,
        " or lower (0 replays every alert still stored)"));
  }
  stream->AttachMetrics(&metrics_);
  stream->SetPublished(it == last_cursors_.end() ? 0 : it->second, live_only);
  if (streams_[stream->subscriber()].insert(stream).second) ++connected_;
  metrics_.connected.Set(static_cast<int64_t>(connected_));
  return absl::OkStatus();
}

void SubscriptionHub::Unregister(const std::shared_ptr<AlertStream>& stream) {
  absl::MutexLock lock(&mu_);
  auto it = streams_.find(stream->subscriber());
  if (it == streams_.end()) return;
  connected_ -= it->second.erase(stream);
  metrics_.connected.Set(static_cast<int64_t>(connected_));
  if (it->second.empty()) streams_.erase(it);
}

void SubscriptionHub::Publish(const std::vector<newswatch::v1::Alert>& alerts) {
  absl::MutexLock lock(&mu_);
  for (const newswatch::v1::Alert& alert : alerts) {
    last_cursors_[alert.subscriber()] = alert.cursor();
    auto it = streams_.find(alert.subscriber());
    if (it == streams_.end()) continue;
    for (const auto& stream : it->second) stream->Offer(alert);
  }
}

void SubscriptionHub::Publish(
    std::vector<newswatch::v1::Alert>& alerts,
    absl::FunctionRef<void(newswatch::v1::Alert&)> complete) {
  absl::MutexLock lock(&mu_);
  for (newswatch::v1::Alert& alert : alerts) {
    last_cursors_[alert.subscriber()] = alert.cursor();
    auto it = streams_.find(alert.subscriber());
    if (it == streams_.end()) continue;
    complete(alert);
    // The last stream takes the alert: one subscriber, one stream is usual.
    size_t left = it->second.size();
    for (const auto& stream : it->second) {
      if (--left == 0) {
        stream->Offer(std::move(alert));
      } else {
        stream->Offer(alert);
      }
    }
  }
}

void SubscriptionHub::NoteCursor(const std::string& subscriber,
                                 uint64_t cursor) {
  absl::MutexLock lock(&mu_);
  uint64_t& known = last_cursors_[subscriber];
  known = std::max(known, cursor);
}

void SubscriptionHub::SendHeartbeats(absl::Duration interval) {
  const absl::Time now = absl::Now();
  absl::MutexLock lock(&mu_);
  for (const auto& [subscriber, streams] : streams_) {
    for (const auto& stream : streams) stream->MaybeHeartbeat(now, interval);
  }
}

size_t SubscriptionHub::EndStreams(
    const std::function<absl::Status(const AlertStream&)>& check) {
  absl::MutexLock lock(&mu_);
  size_t ended = 0;
  for (const auto& [subscriber, streams] : streams_) {
    for (const std::shared_ptr<AlertStream>& stream : streams) {
      if (absl::Status s = check(*stream); !s.ok()) {
        stream->End(s);
        ++ended;
      }
    }
  }
  return ended;
}

size_t SubscriptionHub::ConnectedStreams() const {
  absl::MutexLock lock(&mu_);
  return connected_;
}

}  // namespace nw::alerts

namespace nw::alerts {

uint64_t SubscriptionHub::LastCursor(const std::string& subscriber) const {
  absl::MutexLock lock(&mu_);
  auto it = last_cursors_.find(subscriber);
  return it == last_cursors_.end() ? 0 : it->second;
}

}  // namespace nw::alerts
