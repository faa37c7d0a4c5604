// File: server/alerts/replay_gate.h
//
// ReplayGate bounds how many alert streams replay from the alert log at
// once. Replay is the heavy part of delivery (a log read, then up to a batch
// of writes); 2,000 streams replaying from cursor 0 kept gRPC's threads so
// busy that ingest fell from ~6,700 to 24 articles/s. A stream holds a slot
// for one batch (its read and the writes of what it read), then queues again
// behind the others: first come, first served, round robin, so every
// replaying stream progresses and the rest of the daemon keeps its threads.
//
// Thread safety: all methods may be called concurrently.
#ifndef NW_SERVER_ALERTS_REPLAY_GATE_H_
#define NW_SERVER_ALERTS_REPLAY_GATE_H_

#include <cstddef>
#include <deque>
#include <functional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace nw::alerts {

class ReplayGate {
 public:
  // At most `slots` (>= 1) streams replay at once.
  explicit ReplayGate(size_t slots) : free_(slots < 1 ? 1 : slots) {}

  // Runs `start` once a slot is free: now, on this thread, or later on the
  // thread of the Release that frees one. `start` must be quick and must
  // not take locks its caller may hold (it schedules the read).
  void Acquire(std::function<void()> start);
  // Frees the slot of one Acquire whose `start` ran.
  void Release();

  // Streams waiting for a slot.
  size_t waiting() const;

 private:
  mutable absl::Mutex mu_;
  size_t free_ ABSL_GUARDED_BY(mu_);
  std::deque<std::function<void()>> waiting_ ABSL_GUARDED_BY(mu_);
};

}  // namespace nw::alerts

#endif  // NW_SERVER_ALERTS_REPLAY_GATE_H_
