#include "storage/session_store.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "rocksdb/write_batch.h"
#include "server/base/status_macros.h"
#include "storage/key_codec.h"
#include "storage/rocks_status.h"

namespace nw::storage {
namespace {

// created (u64 Unix ns, big-endian), then token_sha256.
std::string EncodeRecord(const SessionRecord& r) {
  return absl::StrCat(
      EncodeU64(static_cast<uint64_t>(absl::ToUnixNanos(r.created))),
      r.token_sha256);
}

}  // namespace

absl::Status SessionStore::Put(absl::string_view id_sha256,
                               const SessionRecord& record) {
  rocksdb::WriteBatch batch;
  batch.Put(db_.cf(Cf::kMeta), SessionKey(id_sha256), EncodeRecord(record));
  return db_.Write(batch, "SessionStore::Put");
}

absl::Status SessionStore::Delete(absl::string_view id_sha256) {
  rocksdb::WriteBatch batch;
  batch.Delete(db_.cf(Cf::kMeta), SessionKey(id_sha256));
  return db_.Write(batch, "SessionStore::Delete");
}

absl::StatusOr<std::vector<std::pair<std::string, SessionRecord>>>
SessionStore::LoadAll() const {
  std::vector<std::pair<std::string, SessionRecord>> sessions;
  std::unique_ptr<rocksdb::Iterator> it(
      db_.raw()->NewIterator(rocksdb::ReadOptions(), db_.cf(Cf::kMeta)));
  const rocksdb::Slice prefix(kSessionKeyPrefix.data(),
                              kSessionKeyPrefix.size());
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    const absl::string_view key(it->key().data(), it->key().size());
    const absl::string_view value(it->value().data(), it->value().size());
    std::optional<uint64_t> created =
        value.size() > 8 ? DecodeU64(value.substr(0, 8)) : std::nullopt;
    if (!created) {
      return absl::DataLossError(
          absl::StrCat("stored session record ", key, " does not decode"));
    }
    sessions.emplace_back(
        std::string(key.substr(kSessionKeyPrefix.size())),
        SessionRecord{
            .token_sha256 = std::string(value.substr(8)),
            .created = absl::FromUnixNanos(static_cast<int64_t>(*created))});
  }
  if (!it->status().ok())
    return FromRocksStatus(it->status(), "SessionStore::LoadAll");
  return sessions;
}

}  // namespace nw::storage
