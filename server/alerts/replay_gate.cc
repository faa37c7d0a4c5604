#include "server/alerts/replay_gate.h"

#include <utility>

namespace nw::alerts {

void ReplayGate::Acquire(std::function<void()> start) {
  {
    absl::MutexLock lock(&mu_);
    if (free_ == 0) {
      waiting_.push_back(std::move(start));
      return;
    }
    --free_;
  }
  start();
}

void ReplayGate::Release() {
  std::function<void()> next;
  {
    absl::MutexLock lock(&mu_);
    if (waiting_.empty()) {
      ++free_;
      return;
    }
    next = std::move(waiting_.front());  // the slot passes to it
    waiting_.pop_front();
  }
  next();
}

size_t ReplayGate::waiting() const {
  absl::MutexLock lock(&mu_);
  return waiting_.size();
}

}  // namespace nw::alerts
