#include "storage/db.h"

#include "storage/rocks_status.h"

namespace nw::storage {
namespace {

// Names on disk; the order matches enum Cf.
constexpr const char* kCfNames[] = {"articles", "article_ids", "rules", "alerts",
                                    "meta"};

}  // namespace

absl::StatusOr<std::unique_ptr<Db>> Db::Open(const DbOptions& options) {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;  // 2-core machines

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName,
                           rocksdb::ColumnFamilyOptions());
  for (const char* name : kCfNames) {
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s =
      rocksdb::DB::Open(db_options, options.path, descriptors, &handles, &raw);
  if (!s.ok()) return FromRocksStatus(s, "Db::Open " + options.path);

  auto db = std::unique_ptr<Db>(new Db());
  db->db_.reset(raw);
  // handles[0] is the default family, which we keep only because RocksDB must.
  db->handles_.assign(handles.begin(), handles.end());
  db->handles_.erase(db->handles_.begin());
  raw->DestroyColumnFamilyHandle(handles[0]).PermitUncheckedError();
  db->write_options_.sync = options.sync;
  return db;
}

Db::~Db() {
  for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  if (db_) db_->Close().PermitUncheckedError();
}

}  // namespace nw::storage
