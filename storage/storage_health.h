// File: storage/storage_health.h
//
// Whether the database can still take writes. Storage is unhealthy after a
// write fails (until a later write succeeds) or while RocksDB reports a
// background error (a failed flush, compaction or WAL sync stops writes until
// it recovers). The daemon turns this into the gRPC health status.
//
// Thread safety: all methods may be called concurrently. The listener runs
// with an internal lock held, so that notifications arrive in order: it must
// be quick and must not call back into this object.
#ifndef NW_STORAGE_STORAGE_HEALTH_H_
#define NW_STORAGE_STORAGE_HEALTH_H_

#include <atomic>
#include <cstdint>
#include <functional>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace nw::storage {

class StorageHealth {
 public:
  // Called on every change of healthy(), with the error that caused an
  // unhealthy state (OK when it turns healthy).
  using Listener = std::function<void(bool healthy, const absl::Status& cause)>;

  // Replaces the listener and calls it at once with the current state (so a
  // failure before it was set is not missed). Null removes it.
  void SetListener(Listener listener);

  // The outcome of a write. Cheap when OK and already healthy (one relaxed
  // load), so it runs on every commit.
  void ReportWrite(const absl::Status& status);
  // RocksDB stopped writes with `error` / recovered from it.
  void ReportBackgroundError(const absl::Status& error);
  void ReportBackgroundRecovered();

  bool healthy() const { return healthy_.load(std::memory_order_acquire); }
  // Failed writes and background errors so far.
  uint64_t errors() const { return errors_.load(std::memory_order_relaxed); }
  // The error behind the current unhealthy state; OK when healthy.
  absl::Status cause() const;

 private:
  void UpdateLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status CauseLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  std::atomic<bool> healthy_{true};
  std::atomic<uint64_t> errors_{0};
  mutable absl::Mutex mu_;
  absl::Status write_error_ ABSL_GUARDED_BY(mu_);
  absl::Status background_error_ ABSL_GUARDED_BY(mu_);
  Listener listener_ ABSL_GUARDED_BY(mu_);
};

}  // namespace nw::storage

#endif  // NW_STORAGE_STORAGE_HEALTH_H_
