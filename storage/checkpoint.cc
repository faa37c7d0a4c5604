#include "storage/checkpoint.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "rocksdb/utilities/checkpoint.h"
#include "storage/key_codec.h"
#include "storage/rocks_status.h"

namespace nw::storage {

absl::StatusOr<CheckpointInfo> CreateCheckpoint(Db& db,
                                                const std::string& directory) {
  namespace fs = std::filesystem;
  if (directory.empty() || !fs::path(directory).is_absolute()) {
    return absl::InvalidArgumentError(
        absl::StrCat("checkpoint directory must be an absolute path on the "
                     "daemon's host, got '",
                     directory, "'"));
  }
  std::error_code ec;
  if (fs::exists(directory, ec)) {
    return absl::AlreadyExistsError(absl::StrCat(
        "checkpoint directory ", directory, " exists; name a new one"));
  }
  // Read before: every commit up to here is in the checkpoint.
  uint64_t last_sequence = 0;
  if (std::string value; db.raw()
                             ->Get(rocksdb::ReadOptions(), db.cf(Cf::kMeta),
                                   std::string(kLastSequenceKey), &value)
                             .ok()) {
    last_sequence = DecodeU64(value).value_or(0);
  }
  if (!fs::is_directory(fs::path(directory).parent_path(), ec)) {
    return absl::FailedPreconditionError(
        absl::StrCat("the parent of checkpoint directory ", directory,
                     " does not exist on the daemon's host; create it first"));
  }
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status s = rocksdb::Checkpoint::Create(db.raw(), &raw);
  if (!s.ok()) return FromRocksStatus(s, "creating a checkpoint");
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // log_size_for_flush 0: flush the memtables first, so the checkpoint is
  // SST files (hard links) plus a WAL tail.
  s = checkpoint->CreateCheckpoint(directory, /*log_size_for_flush=*/0);
  if (!s.ok())
    return FromRocksStatus(s, absl::StrCat("checkpoint to ", directory));

  CheckpointInfo info{.directory = directory};
  for (const fs::directory_entry& entry :
       fs::directory_iterator(directory, ec)) {
    if (entry.is_regular_file(ec)) info.bytes += entry.file_size(ec);
  }
  info.last_sequence = last_sequence;
  return info;
}

}  // namespace nw::storage
