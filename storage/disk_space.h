// File: storage/disk_space.h
//
// DiskSpaceGuard: refuses writes while the data dir's file system has less
// free space than a reserve. RocksDB cannot recover from a write-ahead log
// that hit a full disk (the Debian 12 build aborts on the next write to it),
// so newswatchd stops writing before that happens: ingest gets
// RESOURCE_EXHAUSTED, health turns NOT_SERVING, and writes resume by
// themselves once space is freed.
//
// Thread safety: all methods may be called concurrently.
#ifndef NW_STORAGE_DISK_SPACE_H_
#define NW_STORAGE_DISK_SPACE_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace nw::storage {

// Bytes available to unprivileged writers on the file system holding `path`
// (statvfs f_bavail * f_frsize). Errors: the statvfs errno, as a status.
absl::StatusOr<uint64_t> FreeDiskBytes(const std::string& path);

class DiskSpaceGuard {
 public:
  using FreeBytesFn =
      std::function<absl::StatusOr<uint64_t>(const std::string&)>;

  // `min_free_bytes` 0 turns the guard off. `free_bytes` is FreeDiskBytes
  // unless a test injects another.
  DiskSpaceGuard(std::string path, uint64_t min_free_bytes,
                 FreeBytesFn free_bytes = FreeDiskBytes)
      : path_(std::move(path)),
        min_free_bytes_(min_free_bytes),
        free_bytes_(std::move(free_bytes)) {}

  // OK when the reserve is there (or the guard is off); ResourceExhausted
  // saying how much is free and what to do when it is not. The file system
  // is asked at most every 100 ms; a failed statvfs lets writes through.
  absl::Status Check();

 private:
  const std::string path_;
  const uint64_t min_free_bytes_;
  const FreeBytesFn free_bytes_;
  absl::Mutex mu_;
  absl::Time checked_at_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  absl::Status last_ ABSL_GUARDED_BY(mu_);
};

}  // namespace nw::storage

#endif  // NW_STORAGE_DISK_SPACE_H_
