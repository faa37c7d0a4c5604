#include "storage/db.h"

#include "absl/strings/str_cat.h"
#include "rocksdb/convenience.h"
#include "rocksdb/listener.h"
#include "server/base/status_macros.h"
#include "storage/format_version.h"
#include "storage/rocks_status.h"

namespace nw::storage {
namespace {

// A key of the meta family that only CheckWritable writes.
constexpr char kWriteProbeKey[] = "health_probe";

// Forwards RocksDB's background errors (a failed flush, compaction, WAL
// sync or manifest write, which stop writes) to StorageHealth.
class HealthListener final : public rocksdb::EventListener {
 public:
  explicit HealthListener(StorageHealth& health) : health_(health) {}
  void OnBackgroundError(rocksdb::BackgroundErrorReason reason,
                         rocksdb::Status* bg_error) override {
    health_.ReportBackgroundError(
        FromRocksStatus(*bg_error, "RocksDB background error"));
  }
  void OnErrorRecoveryEnd(
      const rocksdb::BackgroundErrorRecoveryInfo& info) override {
    if (info.new_bg_error.ok()) health_.ReportBackgroundRecovered();
  }

 private:
  StorageHealth& health_;
};

// Names on disk; the order matches enum Cf.
constexpr const char* kCfNames[] = {"articles", "article_ids", "rules",
                                    "alerts",   "meta",        "stories"};

}  // namespace

absl::StatusOr<std::unique_ptr<Db>> Db::Open(const DbOptions& options) {
  auto disk_space = std::make_unique<DiskSpaceGuard>(
      options.path, options.min_free_disk_bytes,
      options.free_disk_bytes ? options.free_disk_bytes : FreeDiskBytes);
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;  // 2-core machines
  // Replaying the log keeps it in memory instead of writing table files:
  // a start on a nearly full disk needs no room for them.
  db_options.avoid_flush_during_recovery = true;
  auto db = std::unique_ptr<Db>(new Db());
  rocksdb::Env* base_env =
      options.env != nullptr ? options.env : rocksdb::Env::Default();
  db->env_ =
      rocksdb::NewCompositeEnv(db->wal_space_.Wrap(base_env->GetFileSystem()));
  db_options.env = db->env_.get();
  // Flushes and compactions run at nice 19, so they take the CPU the commit,
  // match and delivery threads leave instead of preempting them: on one core
  // at 100k rules, a 64 MB memtable flush (~0.3 s of CPU) in the middle of
  // group commits was part of the ingest->alert tail (p99 at 100 articles/s
  // ~27 ms instead of ~57, noisy; bench/load/README.md). Writes that outrun
  // them still stall (RocksDB's own write stalls), and then they run.
  // (The thread pools are the default Env's; an Env without priorities
  // ignores it.)
  for (rocksdb::Env::Priority pool :
       {rocksdb::Env::Priority::HIGH, rocksdb::Env::Priority::LOW}) {
    db->env_->LowerThreadPoolCPUPriority(pool, rocksdb::CpuPriority::kLow)
        .PermitUncheckedError();
  }
  db_options.listeners.push_back(
      std::make_shared<HealthListener>(*db->health_));

  rocksdb::ColumnFamilyOptions cf_options;
  // LZ4 instead of the default Snappy where RocksDB has it: with 100k rules
  // (~180 alerts, ~100 KB written per article) Snappy in memtable flushes
  // was ~8 % of the daemon's CPU. Tables of either kind stay readable.
  for (rocksdb::CompressionType type : rocksdb::GetSupportedCompressions()) {
    if (type == rocksdb::kLZ4Compression) cf_options.compression = type;
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, cf_options);
  for (const char* name : kCfNames) descriptors.emplace_back(name, cf_options);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s =
      rocksdb::DB::Open(db_options, options.path, descriptors, &handles, &raw);
  if (!s.ok()) return FromRocksStatus(s, "Db::Open " + options.path);

  db->db_.reset(raw);
  // handles[0] is the default family, which we keep only because RocksDB must.
  db->handles_.assign(handles.begin(), handles.end());
  db->handles_.erase(db->handles_.begin());
  raw->DestroyColumnFamilyHandle(handles[0]).PermitUncheckedError();
  db->write_options_.sync = options.sync;
  db->wal_space_.MakeStrict();
  // Before anyone reads: a data dir of a newer format must not be misread.
  // (A new one is stamped: a few bytes, written even below the reserve.)
  NW_RETURN_IF_ERROR(CheckFormatVersion(*db));
  db->disk_space_ = std::move(disk_space);
  // Below the reserve the daemon still starts (reads work, health says
  // NOT_SERVING); writes resume once space is freed.
  if (absl::Status space = db->disk_space_->Check(); !space.ok())
    db->health_->ReportWrite(space);
  return db;
}

absl::Status Db::Write(rocksdb::WriteBatch& batch, absl::string_view context) {
  // disk_space_ is null only while Open stamps the format version.
  if (absl::Status space =
          disk_space_ ? disk_space_->Check() : absl::OkStatus();
      !space.ok()) {
    health_->ReportWrite(space);
    return space;
  }
  absl::Status s = WriteReserved(write_options_, batch, context);
  health_->ReportWrite(s);
  return s;
}

absl::Status Db::WriteReserved(const rocksdb::WriteOptions& write_options,
                               rocksdb::WriteBatch& batch,
                               absl::string_view context) {
  const uint64_t bytes = batch.GetDataSize();
  NW_RETURN_IF_ERROR(wal_space_.Reserve(bytes));
  absl::Status s = FromRocksStatus(db_->Write(write_options, &batch), context);
  wal_space_.Release(bytes);
  return s;
}

absl::Status Db::WriteUnsynced(rocksdb::WriteBatch& batch,
                               absl::string_view context) {
  if (absl::Status space = disk_space_->Check(); !space.ok()) {
    health_->ReportWrite(space);
    return space;
  }
  rocksdb::WriteOptions unsynced = write_options_;
  unsynced.sync = false;
  absl::Status s = WriteReserved(unsynced, batch, context);
  health_->ReportWrite(s);
  return s;
}

absl::Status Db::CheckWritable() {
  if (health_->healthy()) return absl::OkStatus();
  // Resume is a no-op without a background error; with one, it retries the
  // failed work (e.g. a flush) and reopens writes.
  absl::Status resumed =
      FromRocksStatus(db_->Resume(), "Db::CheckWritable: resume");
  if (!resumed.ok()) return resumed;
  health_->ReportBackgroundRecovered();
  rocksdb::WriteBatch probe;
  probe.Put(cf(Cf::kMeta), kWriteProbeKey, "");
  NW_RETURN_IF_ERROR(disk_space_->Check());
  rocksdb::WriteOptions synced = write_options_;
  synced.sync = true;
  absl::Status written =
      WriteReserved(synced, probe, "Db::CheckWritable: probe write");
  health_->ReportWrite(written);
  return written;
}

std::vector<CfSize> Db::Sizes() const {
  std::vector<CfSize> sizes;
  for (size_t i = 0; i < handles_.size(); ++i) {
    CfSize size{.name = kCfNames[i]};
    db_->GetIntProperty(handles_[i], rocksdb::DB::Properties::kLiveSstFilesSize,
                        &size.live_sst_bytes);
    db_->GetIntProperty(handles_[i],
                        rocksdb::DB::Properties::kCurSizeAllMemTables,
                        &size.memtable_bytes);
    sizes.push_back(std::move(size));
  }
  return sizes;
}

Db::~Db() {
  for (auto* h : handles_)
    db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  if (db_) db_->Close().PermitUncheckedError();
}

}  // namespace nw::storage
