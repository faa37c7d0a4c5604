// File: client/lib/cursor_file.h
//
// A cursor file keeps a subscriber's last seen alert cursor across runs of a
// client: one decimal number and a newline. Writes are atomic (a temporary
// file in the same folder, fsync, rename), so a crash leaves either the old
// or the new cursor, never a torn one.
//
// CursorFileWriter batches writes: Update() after every handled alert costs
// nothing, and a background thread writes the newest value at most every
// `interval`; Flush() (and the destructor) write what is pending at once.
//
// Thread safety: the free functions are thread-compatible; a
// CursorFileWriter may be used from any thread.
#ifndef NW_CLIENT_LIB_CURSOR_FILE_H_
#define NW_CLIENT_LIB_CURSOR_FILE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace nw::client {

// The cursor stored in `path`; nullopt when the file does not exist;
// InvalidArgument when it holds anything but a number; the I/O error
// otherwise.
absl::StatusOr<std::optional<uint64_t>> ReadCursorFile(const std::string& path);

// Replaces `path` atomically with `cursor`. On failure the old file is left
// as it was.
absl::Status WriteCursorFile(const std::string& path, uint64_t cursor);

class CursorFileWriter {
 public:
  // Writes to `path` (nothing until the first Update()).
  CursorFileWriter(std::string path, absl::Duration interval);
  CursorFileWriter(const CursorFileWriter&) = delete;
  CursorFileWriter& operator=(const CursorFileWriter&) = delete;
  // Flushes, ignoring errors (call Flush() first to see them).
  ~CursorFileWriter();

  // Records `cursor` as the newest one; written within `interval`.
  void Update(uint64_t cursor);
  // Writes the newest cursor now if it was not written yet; returns the
  // status of the last write (the first error sticks until a write works).
  absl::Status Flush();

 private:
  void Loop();

  const std::string path_;
  const absl::Duration interval_;

  absl::Mutex write_mu_ ABSL_ACQUIRED_BEFORE(mu_);  // one write at a time
  absl::Mutex mu_;
  std::optional<uint64_t> pending_ ABSL_GUARDED_BY(mu_);
  absl::Status last_status_ ABSL_GUARDED_BY(mu_);
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;  // last: starts after the members above exist
};

}  // namespace nw::client

#endif  // NW_CLIENT_LIB_CURSOR_FILE_H_
