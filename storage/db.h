// File: storage/db.h
//
// Db owns the RocksDB instance and its column families: one per kind of
// record (see storage/FORMAT.md). Every other storage class borrows it.
//
// Thread safety: all methods may be called concurrently.
#ifndef NW_STORAGE_DB_H_
#define NW_STORAGE_DB_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/write_batch.h"
#include "storage/disk_space.h"
#include "storage/storage_health.h"
#include "storage/wal_space.h"

namespace nw::storage {

struct DbOptions {
  // Folder of the database; created when missing. Required.
  std::string path;
  // Sync the WAL before a commit returns: what is acknowledged survives a
  // power loss, at the price of one fsync per commit group.
  // Default: true.
  bool sync = true;
  // The environment RocksDB does its file I/O through; not owned, must
  // outlive the Db. Tests pass a fault-injecting wrapper.
  // Default: null, rocksdb::Env::Default().
  rocksdb::Env* env = nullptr;
  // Writes are refused (ResourceExhausted) while the data dir's file system
  // has less free space than this (see disk_space.h); Open still opens, with
  // health() unhealthy. Default: 0, off (newswatchd passes
  // --min-free-disk-bytes). Whatever the reserve, a write that would not fit
  // in the write-ahead log is refused before RocksDB sees it (wal_space.h).
  uint64_t min_free_disk_bytes = 0;
  // Free space of a path; tests inject one. Default: null, FreeDiskBytes.
  DiskSpaceGuard::FreeBytesFn free_disk_bytes;
};

// Bytes a column family holds (RocksDB properties, read at call time).
struct CfSize {
  std::string name;             // the column family's name on disk
  uint64_t live_sst_bytes = 0;  // rocksdb.live-sst-files-size
  uint64_t memtable_bytes = 0;  // rocksdb.cur-size-all-mem-tables
};

enum class Cf {
  kArticles = 0,
  kArticleIds,
  kRules,
  kAlerts,
  kMeta,
  kStories,
  kCount
};

class Db {
 public:
  // Opens (creating if needed) the database at options.path with all column
  // families. Errors: whatever RocksDB reports (e.g. Unavailable when another
  // process holds the lock, DataLoss on corruption).
  static absl::StatusOr<std::unique_ptr<Db>> Open(const DbOptions& options);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  rocksdb::DB* raw() const { return db_.get(); }
  rocksdb::ColumnFamilyHandle* cf(Cf which) const {
    return handles_[static_cast<int>(which)];
  }
  const rocksdb::WriteOptions& write_options() const { return write_options_; }

  // Applies `batch` with write_options() and reports the outcome to
  // health(). Every write of the daemon goes through here. Errors:
  // ResourceExhausted while the disk is below its reserve (disk_space.h);
  // otherwise as FromRocksStatus maps them, prefixed with `context`. On
  // error nothing was written.
  absl::Status Write(rocksdb::WriteBatch& batch, absl::string_view context);
  // As Write, but never waits for a WAL sync: for state whose loss on a
  // power cut is harmless (a delivery cursor, whose loss means an alert is
  // delivered again). It survives a crash of the process.
  absl::Status WriteUnsynced(rocksdb::WriteBatch& batch,
                             absl::string_view context);

  // Whether storage can take writes; see storage_health.h.
  StorageHealth& health() const { return *health_; }

  // When unhealthy: asks RocksDB to leave its read-only state (DB::Resume)
  // and makes one small synced write to prove the disk takes writes again,
  // which turns health() back to healthy. OK (and no I/O) when healthy.
  // Errors: the failed Resume or write.
  absl::Status CheckWritable();

  // Sizes of every column family, in Cf order.
  std::vector<CfSize> Sizes() const;

 private:
  Db() = default;
  // db_->Write after reserving the batch's room in the WAL (wal_space.h).
  absl::Status WriteReserved(const rocksdb::WriteOptions& write_options,
                             rocksdb::WriteBatch& batch,
                             absl::string_view context);

  // Declared first: RocksDB's listener reports into it until db_ is closed.
  std::unique_ptr<StorageHealth> health_ = std::make_unique<StorageHealth>();
  WalSpace wal_space_;  // its file system and env_ outlive db_
  std::unique_ptr<rocksdb::Env> env_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // indexed by Cf
  rocksdb::WriteOptions write_options_;
  std::unique_ptr<DiskSpaceGuard> disk_space_;
};

}  // namespace nw::storage

#endif  // NW_STORAGE_DB_H_
