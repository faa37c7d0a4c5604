#include "storage/last_cursor.h"

#include <algorithm>
#include <limits>
#include <memory>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/base/status_macros.h"
#include "storage/key_codec.h"
#include "storage/rocks_status.h"

namespace nw::storage {
namespace {

constexpr uint64_t kMaxCursor = std::numeric_limits<uint64_t>::max();

absl::string_view View(const rocksdb::Slice& s) {
  return absl::string_view(s.data(), s.size());
}

// The cursor of an alert key of `subscriber`; nullopt for another key.
std::optional<uint64_t> CursorOfAlertKey(absl::string_view key,
                                         absl::string_view prefix) {
  if (key.size() != prefix.size() + 8 || !absl::StartsWith(key, prefix))
    return std::nullopt;
  return DecodeU64(key.substr(prefix.size()));
}

// The last alert cursor stored for `subscriber` (0: none), positioning `it`
// (over the alerts family) at that key.
absl::StatusOr<uint64_t> LastStoredCursor(rocksdb::Iterator& it,
                                          absl::string_view subscriber) {
  const std::string prefix = AlertPrefix(subscriber);
  it.SeekForPrev(AlertKey(subscriber, kMaxCursor));
  if (!it.status().ok())
    return FromRocksStatus(it.status(), "reading the last alert cursor");
  if (!it.Valid()) return 0;
  return CursorOfAlertKey(View(it.key()), prefix).value_or(0);
}

// Raises `cursors[subscriber]` to each meta record under `prefix`, decoded
// and less `minus`.
absl::Status RaiseFromMeta(
    const Db& db, absl::string_view prefix, uint64_t minus,
    absl::flat_hash_map<std::string, uint64_t>& cursors) {
  std::unique_ptr<rocksdb::Iterator> it(
      db.raw()->NewIterator(rocksdb::ReadOptions(), db.cf(Cf::kMeta)));
  for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size()));
       it->Valid() && absl::StartsWith(View(it->key()), prefix); it->Next()) {
    const std::optional<uint64_t> value = DecodeU64(View(it->value()));
    if (!value) {
      return absl::DataLossError(
          absl::StrCat("bad ", View(it->key()), " record"));
    }
    const uint64_t floor = *value >= minus ? *value - minus : 0;
    if (floor == 0) continue;
    uint64_t& cursor = cursors[View(it->key()).substr(prefix.size())];
    cursor = std::max(cursor, floor);
  }
  if (!it->status().ok())
    return FromRocksStatus(it->status(), "reading cursor records");
  return absl::OkStatus();
}

// The u64 meta record `key`, 0 when absent.
absl::StatusOr<uint64_t> MetaU64(const Db& db, const std::string& key) {
  std::string value;
  rocksdb::Status s =
      db.raw()->Get(rocksdb::ReadOptions(), db.cf(Cf::kMeta), key, &value);
  if (s.IsNotFound()) return 0;
  if (!s.ok()) return FromRocksStatus(s, "reading a cursor record");
  const std::optional<uint64_t> n = DecodeU64(value);
  if (!n) return absl::DataLossError(absl::StrCat("bad ", key, " record"));
  return *n;
}

}  // namespace

absl::StatusOr<uint64_t> ReadLastCursor(const Db& db,
                                        absl::string_view subscriber) {
  std::unique_ptr<rocksdb::Iterator> it(
      db.raw()->NewIterator(rocksdb::ReadOptions(), db.cf(Cf::kAlerts)));
  NW_ASSIGN_OR_RETURN(uint64_t last, LastStoredCursor(*it, subscriber));
  NW_ASSIGN_OR_RETURN(uint64_t oldest,
                      MetaU64(db, OldestCursorKey(subscriber)));
  NW_ASSIGN_OR_RETURN(uint64_t legacy, MetaU64(db, CursorKey(subscriber)));
  if (oldest > 0) last = std::max(last, oldest - 1);
  return std::max(last, legacy);
}

absl::StatusOr<absl::flat_hash_map<std::string, uint64_t>> ReadAllLastCursors(
    const Db& db) {
  absl::flat_hash_map<std::string, uint64_t> cursors;
  std::unique_ptr<rocksdb::Iterator> it(
      db.raw()->NewIterator(rocksdb::ReadOptions(), db.cf(Cf::kAlerts)));
  // From each subscriber's first key to its last, then past its range.
  for (it->SeekToFirst(); it->Valid();) {
    const absl::string_view key = View(it->key());
    const size_t nul = key.find('\0');
    if (nul == absl::string_view::npos)
      return absl::DataLossError("an alert key without a subscriber");
    const std::string subscriber(key.substr(0, nul));
    NW_ASSIGN_OR_RETURN(uint64_t last, LastStoredCursor(*it, subscriber));
    cursors[subscriber] = last;
    it->Seek(subscriber + '\x01');
  }
  if (!it->status().ok())
    return FromRocksStatus(it->status(), "reading the last alert cursors");
  NW_RETURN_IF_ERROR(RaiseFromMeta(db, kOldestCursorKeyPrefix, 1, cursors));
  NW_RETURN_IF_ERROR(RaiseFromMeta(db, kCursorKeyPrefix, 0, cursors));
  return cursors;
}

absl::StatusOr<std::vector<std::string>> SubscribersWithAlerts(const Db& db) {
  std::vector<std::string> subscribers;
  std::unique_ptr<rocksdb::Iterator> it(
      db.raw()->NewIterator(rocksdb::ReadOptions(), db.cf(Cf::kAlerts)));
  for (it->SeekToFirst(); it->Valid(); it->Seek(subscribers.back() + '\x01')) {
    const absl::string_view key = View(it->key());
    subscribers.emplace_back(key.substr(0, key.find('\0')));
  }
  if (!it->status().ok())
    return FromRocksStatus(it->status(), "listing the alerted subscribers");
  return subscribers;
}

}  // namespace nw::storage
