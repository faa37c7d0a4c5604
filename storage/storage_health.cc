#include "storage/storage_health.h"

#include <utility>

namespace nw::storage {

void StorageHealth::SetListener(Listener listener) {
  absl::MutexLock lock(&mu_);
  listener_ = std::move(listener);
  if (listener_)
    listener_(healthy_.load(std::memory_order_relaxed), CauseLocked());
}

void StorageHealth::ReportWrite(const absl::Status& status) {
  if (status.ok() && healthy_.load(std::memory_order_relaxed))
    return;  // the common case
  if (!status.ok()) errors_.fetch_add(1, std::memory_order_relaxed);
  absl::MutexLock lock(&mu_);
  write_error_ = status;
  UpdateLocked();
}

void StorageHealth::ReportBackgroundError(const absl::Status& error) {
  errors_.fetch_add(1, std::memory_order_relaxed);
  absl::MutexLock lock(&mu_);
  background_error_ =
      error.ok() ? absl::InternalError("RocksDB background error") : error;
  UpdateLocked();
}

void StorageHealth::ReportBackgroundRecovered() {
  absl::MutexLock lock(&mu_);
  background_error_ = absl::OkStatus();
  UpdateLocked();
}

absl::Status StorageHealth::cause() const {
  absl::MutexLock lock(&mu_);
  return CauseLocked();
}

absl::Status StorageHealth::CauseLocked() const {
  if (!background_error_.ok()) return background_error_;
  return write_error_;
}

void StorageHealth::UpdateLocked() {
  const bool now = write_error_.ok() && background_error_.ok();
  const bool before = healthy_.exchange(now, std::memory_order_acq_rel);
  if (now != before && listener_)
    listener_(now, now ? absl::OkStatus() : CauseLocked());
}

}  // namespace nw::storage
