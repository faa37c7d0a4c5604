// File: storage/wal_space.h
//
// WalSpace keeps disk space allocated (fallocate) ahead of the write-ahead
// log, and Db::Write reserves its batch there before RocksDB sees it. A WAL
// append then never meets a full disk: RocksDB 7.8.3 cannot continue after a
// failed WAL append (its next append to that file trips an assertion,
// `sync_without_flush_called_`, and the process aborts), so a full disk must
// be found out before the write, where it is a plain RESOURCE_EXHAUSTED.
//
// Wrap() gives the FileSystem RocksDB is opened with: it wraps every WAL file
// (*.log) so WalSpace knows the current one, its size and its allocated end.
// Once MakeStrict() was called, a new WAL that cannot get its first chunk
// allocated is refused with NoSpace (RocksDB then keeps the old one, whose
// writer never failed, and recovers by Resume once space is back); before
// that (while DB::Open replays the log) allocation is best effort.
//
// Thread safety: all methods may be called concurrently.
#ifndef NW_STORAGE_WAL_SPACE_H_
#define NW_STORAGE_WAL_SPACE_H_

#include <atomic>
#include <cstdint>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/file_system.h"

namespace nw::storage {

class WalSpace {
 public:
  // Allocated ahead of the WAL each time more is needed. Default: 8 MiB.
  static constexpr uint64_t kChunkBytes = 8 << 20;

  WalSpace() : state_(std::make_shared<State>()) {}

  // `base` with its WAL files tracked; keeps this WalSpace's state alive.
  std::shared_ptr<rocksdb::FileSystem> Wrap(
      std::shared_ptr<rocksdb::FileSystem> base);

  void MakeStrict() { state_->strict.store(true); }

  // Before RocksDB writes a batch of `bytes`: makes sure the current WAL has
  // space allocated for everything reserved and not yet released plus this.
  // ResourceExhausted (nothing reserved) when the disk cannot provide it.
  // Each OK must be paired with Release(bytes) once the write returned.
  absl::Status Reserve(uint64_t bytes);
  void Release(uint64_t bytes);

 private:
  class TrackedFile;
  class TrackingFs;

  struct State {
    std::atomic<bool> strict{false};
    // False once the file system said fallocate is unsupported: then
    // nothing can be reserved and writes go through as before.
    std::atomic<bool> supported{true};
    absl::Mutex mu;
    TrackedFile* current ABSL_GUARDED_BY(mu) = nullptr;  // the newest WAL
    uint64_t in_flight ABSL_GUARDED_BY(mu) = 0;  // reserved, not released
  };

  std::shared_ptr<State> state_;
};

}  // namespace nw::storage

#endif  // NW_STORAGE_WAL_SPACE_H_
