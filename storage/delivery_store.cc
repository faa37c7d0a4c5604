#include "storage/delivery_store.h"

#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/base/status_macros.h"
#include "storage/key_codec.h"
#include "storage/last_cursor.h"
#include "storage/rocks_status.h"

namespace nw::storage {
namespace {

template <typename Message>
absl::StatusOr<Message> ParseRecord(absl::string_view bytes,
                                    absl::string_view key) {
  Message message;
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError(
        absl::StrCat("stored delivery record ", key, " does not parse"));
  }
  return message;
}

}  // namespace

absl::StatusOr<std::optional<std::string>> DeliveryStore::GetMeta(
    const std::string& key) const {
  std::string value;
  rocksdb::Status s =
      db_.raw()->Get(rocksdb::ReadOptions(), db_.cf(Cf::kMeta), key, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocksStatus(s, "DeliveryStore::Get");
  return std::optional<std::string>(std::move(value));
}

absl::StatusOr<uint64_t> DeliveryStore::GetU64(const std::string& key) const {
  NW_ASSIGN_OR_RETURN(std::optional<std::string> value, GetMeta(key));
  if (!value.has_value()) return 0;
  std::optional<uint64_t> n = DecodeU64(*value);
  if (!n) return absl::DataLossError(absl::StrCat("bad ", key, " record"));
  return *n;
}

absl::StatusOr<uint64_t> DeliveryStore::LastAlertCursor(
    absl::string_view subscriber) const {
  return ReadLastCursor(db_, subscriber);
}

absl::StatusOr<uint64_t> DeliveryStore::OldestAlertCursor(
    absl::string_view subscriber) const {
  return GetU64(OldestCursorKey(subscriber));
}

absl::StatusOr<uint64_t> DeliveryStore::LastHookNumber() const {
  return GetU64(std::string(kLastHookNumberKey));
}

absl::Status DeliveryStore::AddHook(const newswatch::v1::WebhookRecord& record,
                                    uint64_t hook_number, uint64_t cursor) {
  rocksdb::WriteBatch batch;
  batch.Put(db_.cf(Cf::kMeta), HookKey(record.webhook().id()),
            record.SerializeAsString());
  batch.Put(db_.cf(Cf::kMeta), HookCursorKey(record.webhook().id()),
            EncodeU64(cursor));
  batch.Put(db_.cf(Cf::kMeta), std::string(kLastHookNumberKey),
            EncodeU64(hook_number));
  return db_.Write(batch, "DeliveryStore::AddHook");
}

absl::Status DeliveryStore::UpdateHook(
    const newswatch::v1::WebhookRecord& record) {
  rocksdb::WriteBatch batch;
  batch.Put(db_.cf(Cf::kMeta), HookKey(record.webhook().id()),
            record.SerializeAsString());
  return db_.Write(batch, "DeliveryStore::UpdateHook");
}

absl::Status DeliveryStore::DeleteHook(absl::string_view id) {
  rocksdb::WriteBatch batch;
  batch.Delete(db_.cf(Cf::kMeta), HookKey(id));
  batch.Delete(db_.cf(Cf::kMeta), HookCursorKey(id));
  return db_.Write(batch, "DeliveryStore::DeleteHook");
}

absl::Status DeliveryStore::SetHookCursors(
    const std::vector<std::pair<std::string, uint64_t>>& cursors) {
  if (cursors.empty()) return absl::OkStatus();
  rocksdb::WriteBatch batch;
  for (const auto& [id, cursor] : cursors) {
    batch.Put(db_.cf(Cf::kMeta), HookCursorKey(id), EncodeU64(cursor));
  }
  return db_.WriteUnsynced(batch, "DeliveryStore::SetHookCursors");
}

absl::StatusOr<std::vector<StoredHook>> DeliveryStore::LoadHooks() const {
  std::vector<StoredHook> hooks;
  std::unique_ptr<rocksdb::Iterator> it(
      db_.raw()->NewIterator(rocksdb::ReadOptions(), db_.cf(Cf::kMeta)));
  for (it->Seek(std::string(kHookKeyPrefix));
       it->Valid() && it->key().starts_with(rocksdb::Slice(
                          kHookKeyPrefix.data(), kHookKeyPrefix.size()));
       it->Next()) {
    NW_ASSIGN_OR_RETURN(
        newswatch::v1::WebhookRecord record,
        ParseRecord<newswatch::v1::WebhookRecord>(
            absl::string_view(it->value().data(), it->value().size()),
            absl::string_view(it->key().data(), it->key().size())));
    hooks.push_back({.record = std::move(record)});
  }
  if (!it->status().ok())
    return FromRocksStatus(it->status(), "DeliveryStore::LoadHooks");
  for (StoredHook& hook : hooks) {
    NW_ASSIGN_OR_RETURN(uint64_t cursor,
                        GetU64(HookCursorKey(hook.record.webhook().id())));
    hook.cursor = cursor;
  }
  return hooks;
}

absl::Status DeliveryStore::PutEmail(const newswatch::v1::EmailRecord& record,
                                     std::optional<uint64_t> cursor) {
  const std::string& subscriber = record.settings().subscriber();
  rocksdb::WriteBatch batch;
  batch.Put(db_.cf(Cf::kMeta), EmailKey(subscriber),
            record.SerializeAsString());
  if (cursor) {
    batch.Put(db_.cf(Cf::kMeta), EmailCursorKey(subscriber),
              EncodeU64(*cursor));
  }
  return db_.Write(batch, "DeliveryStore::PutEmail");
}

absl::StatusOr<std::optional<StoredEmail>> DeliveryStore::GetEmail(
    absl::string_view subscriber) const {
  NW_ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                      GetMeta(EmailKey(subscriber)));
  if (!bytes.has_value()) return std::optional<StoredEmail>();
  StoredEmail email;
  NW_ASSIGN_OR_RETURN(
      newswatch::v1::EmailRecord record,
      ParseRecord<newswatch::v1::EmailRecord>(*bytes, EmailKey(subscriber)));
  email.record = std::move(record);
  NW_ASSIGN_OR_RETURN(uint64_t cursor, GetU64(EmailCursorKey(subscriber)));
  email.cursor = cursor;
  NW_ASSIGN_OR_RETURN(std::optional<std::string> pending,
                      GetMeta(EmailPendingKey(subscriber)));
  if (pending.has_value()) {
    NW_ASSIGN_OR_RETURN(newswatch::v1::PendingEmail parsed,
                        ParseRecord<newswatch::v1::PendingEmail>(
                            *pending, EmailPendingKey(subscriber)));
    email.pending = std::move(parsed);
  }
  return std::optional<StoredEmail>(std::move(email));
}

absl::Status DeliveryStore::DeleteEmail(absl::string_view subscriber) {
  rocksdb::WriteBatch batch;
  batch.Delete(db_.cf(Cf::kMeta), EmailKey(subscriber));
  batch.Delete(db_.cf(Cf::kMeta), EmailCursorKey(subscriber));
  batch.Delete(db_.cf(Cf::kMeta), EmailPendingKey(subscriber));
  return db_.Write(batch, "DeliveryStore::DeleteEmail");
}

absl::StatusOr<std::vector<StoredEmail>> DeliveryStore::LoadEmails() const {
  std::vector<std::string> subscribers;
  std::unique_ptr<rocksdb::Iterator> it(
      db_.raw()->NewIterator(rocksdb::ReadOptions(), db_.cf(Cf::kMeta)));
  const std::string prefix(kEmailKeyPrefix);
  for (it->Seek(prefix);
       it->Valid() && it->key().starts_with(rocksdb::Slice(prefix));
       it->Next()) {
    subscribers.push_back(it->key().ToString().substr(prefix.size()));
  }
  if (!it->status().ok())
    return FromRocksStatus(it->status(), "DeliveryStore::LoadEmails");
  std::vector<StoredEmail> emails;
  for (const std::string& subscriber : subscribers) {
    NW_ASSIGN_OR_RETURN(std::optional<StoredEmail> email, GetEmail(subscriber));
    if (email.has_value()) emails.push_back(*std::move(email));
  }
  return emails;
}

absl::Status DeliveryStore::PutPendingEmail(
    absl::string_view subscriber, const newswatch::v1::PendingEmail& pending) {
  rocksdb::WriteBatch batch;
  batch.Put(db_.cf(Cf::kMeta), EmailPendingKey(subscriber),
            pending.SerializeAsString());
  return db_.Write(batch, "DeliveryStore::PutPendingEmail");
}

absl::Status DeliveryStore::FinishEmail(
    const newswatch::v1::EmailRecord& record, uint64_t cursor) {
  const std::string& subscriber = record.settings().subscriber();
  rocksdb::WriteBatch batch;
  batch.Put(db_.cf(Cf::kMeta), EmailKey(subscriber),
            record.SerializeAsString());
  batch.Put(db_.cf(Cf::kMeta), EmailCursorKey(subscriber), EncodeU64(cursor));
  batch.Delete(db_.cf(Cf::kMeta), EmailPendingKey(subscriber));
  return db_.Write(batch, "DeliveryStore::FinishEmail");
}

}  // namespace nw::storage
