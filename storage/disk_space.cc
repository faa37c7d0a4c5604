#include "storage/disk_space.h"

#include <sys/statvfs.h>

#include <cerrno>

#include "absl/strings/str_cat.h"

namespace nw::storage {

absl::StatusOr<uint64_t> FreeDiskBytes(const std::string& path) {
  struct statvfs st;
  if (statvfs(path.c_str(), &st) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("statvfs ", path));
  }
  return static_cast<uint64_t>(st.f_bavail) *
         static_cast<uint64_t>(st.f_frsize);
}

absl::Status DiskSpaceGuard::Check() {
  if (min_free_bytes_ == 0) return absl::OkStatus();
  absl::MutexLock lock(&mu_);
  const absl::Time now = absl::Now();
  if (now - checked_at_ < absl::Milliseconds(100)) return last_;
  checked_at_ = now;
  absl::StatusOr<uint64_t> free = free_bytes_(path_);
  if (!free.ok() || *free >= min_free_bytes_) {
    last_ = absl::OkStatus();
  } else {
    last_ = absl::ResourceExhaustedError(absl::StrCat(
        "disk almost full: ", *free >> 20, " MiB free where the data dir ",
        path_, " is, below the reserve of ", min_free_bytes_ >> 20,
        " MiB (--min-free-disk-bytes); nothing was written. Free space (or "
        "lower the "
        "reserve); writes resume by themselves"));
  }
  return last_;
}

}  // namespace nw::storage
