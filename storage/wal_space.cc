#include "storage/wal_space.h"

#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace nw::storage {

// A WAL file: counts what RocksDB appended and how far space is allocated.
class WalSpace::TrackedFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  TrackedFile(std::unique_ptr<rocksdb::FSWritableFile> target,
              std::shared_ptr<State> state)
      : FSWritableFileOwnerWrapper(std::move(target)),
        state_(std::move(state)) {}
  ~TrackedFile() override {
    absl::MutexLock lock(&state_->mu);
    if (state_->current == this) state_->current = nullptr;
  }

  rocksdb::IOStatus Append(const rocksdb::Slice& data,
                           const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    written_.fetch_add(data.size(), std::memory_order_relaxed);
    return FSWritableFileOwnerWrapper::Append(data, options, dbg);
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data,
                           const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* dbg) override {
    written_.fetch_add(data.size(), std::memory_order_relaxed);
    return FSWritableFileOwnerWrapper::Append(data, options, info, dbg);
  }

  // Allocates so that `need` bytes past what was appended are on disk
  // already; a chunk more when it can, to allocate rarely.
  // REQUIRES: state_->mu held (one allocator at a time).
  rocksdb::IOStatus EnsureAllocated(uint64_t need) {
    const uint64_t want = written_.load(std::memory_order_relaxed) + need;
    if (want <= allocated_end_) return rocksdb::IOStatus::OK();
    for (uint64_t extra : {kChunkBytes, uint64_t{0}}) {
      rocksdb::IOStatus s =
          target()->Allocate(allocated_end_, want + extra - allocated_end_,
                             rocksdb::IOOptions(), nullptr);
      if (s.ok()) {
        allocated_end_ = want + extra;
        return s;
      }
      if (!s.IsNoSpace() || extra == 0) return s;
    }
    return rocksdb::IOStatus::OK();  // not reached
  }

 private:
  const std::shared_ptr<State> state_;
  std::atomic<uint64_t> written_{0};
  uint64_t allocated_end_ = 0;  // guarded by state_->mu
};

class WalSpace::TrackingFs final : public rocksdb::FileSystemWrapper {
 public:
  TrackingFs(std::shared_ptr<rocksdb::FileSystem> base,
             std::shared_ptr<State> state)
      : FileSystemWrapper(std::move(base)), state_(std::move(state)) {}
  const char* Name() const override { return "NewswatchWalSpace"; }

  rocksdb::IOStatus NewWritableFile(
      const std::string& name, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->NewWritableFile(name, options, result, dbg);
    if (!s.ok() || !absl::EndsWith(name, ".log")) return s;
    auto file = std::make_unique<TrackedFile>(std::move(*result), state_);
    rocksdb::IOStatus refused;
    {
      absl::MutexLock lock(&state_->mu);
      if (state_->supported.load()) {
        rocksdb::IOStatus allocated =
            file->EnsureAllocated(kChunkBytes + state_->in_flight);
        if (allocated.IsNotSupported()) {
          state_->supported.store(false);
        } else if (!allocated.ok() && state_->strict.load()) {
          // Retryable, not NoSpace: RocksDB then treats the failed memtable
          // switch as a hard error it resumes from by itself (NoSpace there
          // would be fatal until a restart).
          refused = rocksdb::IOStatus::IOError(
              "no disk space for a new write-ahead log", allocated.ToString());
          refused.SetRetryable(true);
        }
      }
      if (refused.ok()) state_->current = file.get();
    }
    if (!refused.ok()) {
      // Refused before anything is written: RocksDB keeps its old WAL.
      file.reset();
      target()
          ->DeleteFile(name, rocksdb::IOOptions(), dbg)
          .PermitUncheckedError();
      return refused;
    }
    *result = std::move(file);
    return s;
  }

 private:
  const std::shared_ptr<State> state_;
};

std::shared_ptr<rocksdb::FileSystem> WalSpace::Wrap(
    std::shared_ptr<rocksdb::FileSystem> base) {
  return std::make_shared<TrackingFs>(std::move(base), state_);
}

absl::Status WalSpace::Reserve(uint64_t bytes) {
  // WAL records add a 7-byte header per 32 KiB block; a margin covers them.
  const uint64_t need = bytes + bytes / 64 + (64 << 10);
  absl::MutexLock lock(&state_->mu);
  if (state_->current != nullptr && state_->supported.load()) {
    rocksdb::IOStatus s =
        state_->current->EnsureAllocated(state_->in_flight + need);
    if (s.IsNotSupported()) {
      state_->supported.store(false);
    } else if (!s.ok()) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "the disk holding the data dir is full (no room for ", bytes,
          " more bytes of write-ahead log): free space; writes resume by "
          "themselves"));
    }
  }
  state_->in_flight += need;
  return absl::OkStatus();
}

void WalSpace::Release(uint64_t bytes) {
  const uint64_t need = bytes + bytes / 64 + (64 << 10);
  absl::MutexLock lock(&state_->mu);
  state_->in_flight -= need;
}

}  // namespace nw::storage
