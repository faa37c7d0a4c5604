#include "storage/format_version.h"

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "rocksdb/write_batch.h"
#include "storage/key_codec.h"
#include "storage/rocks_status.h"

namespace nw::storage {

absl::Status CheckFormatVersion(Db& db) {
  const auto stamp = [&db] {
    rocksdb::WriteBatch batch;
    batch.Put(db.cf(Cf::kMeta), std::string(kFormatVersionKey),
              EncodeU64(kFormatVersion));
    return db.Write(batch, "stamping the data dir's format version");
  };
  std::string value;
  rocksdb::Status s = db.raw()->Get(rocksdb::ReadOptions(), db.cf(Cf::kMeta),
                                    std::string(kFormatVersionKey), &value);
  if (s.IsNotFound()) return stamp();
  if (!s.ok())
    return FromRocksStatus(s, "reading the data dir's format version");
  const std::optional<uint64_t> stored = DecodeU64(value);
  if (!stored) {
    return absl::DataLossError(
        absl::StrCat("the data dir's format version is malformed (",
                     value.size(), " bytes, want 8)"));
  }
  if (*stored > kFormatVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the data dir has format ", *stored,
        ", written by a newer newswatchd; this binary reads "
        "format ",
        kFormatVersion,
        " and below: run the newer newswatchd (downgrades are not "
        "supported; restore a backup taken before the upgrade instead)"));
  }
  // Upgrades: 1 -> 2 only adds a record form (compact alerts); 2 -> 3 stops
  // writing `cursor/` records, and keeps the existing ones (the truth at
  // the upgrade; read as floors by storage/last_cursor.h). The stamp is
  // raised before anything is written in the new way, so an older binary
  // refuses the dir instead of failing on its alerts or reusing cursors.
  if (*stored < kFormatVersion) return stamp();
  return absl::OkStatus();
}

}  // namespace nw::storage
