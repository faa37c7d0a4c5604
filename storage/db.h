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
#include "rocksdb/db.h"

namespace nw::storage {

struct DbOptions {
  // Folder of the database; created when missing. Required.
  std::string path;
  // Sync the WAL before a commit returns: what is acknowledged survives a
  // power loss, at the price of one fsync per commit group.
  // Default: true.
  bool sync = true;
};

enum class Cf { kArticles = 0, kArticleIds, kRules, kAlerts, kMeta, kCount };

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

 private:
  Db() = default;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // indexed by Cf
  rocksdb::WriteOptions write_options_;
};

}  // namespace nw::storage

#endif  // NW_STORAGE_DB_H_
