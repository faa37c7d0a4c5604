// File: storage/delivery_store.h
//
// The durable state of alert delivery beyond streams (server/delivery/):
// webhooks with their secrets and delivery cursors, and each subscriber's
// e-mail settings, cursor and pending digest. All in the meta column family
// (storage/FORMAT.md). Record changes are synced like every write; delivery
// cursors of webhooks are written unsynced (a power cut may make a webhook
// deliver a few alerts again: at least once).
//
// Thread safety: all methods may be called concurrently; callers that read,
// change and write a record serialize that themselves.
#ifndef NW_STORAGE_DELIVERY_STORE_H_
#define NW_STORAGE_DELIVERY_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "newswatch/v1/delivery_records.pb.h"
#include "storage/db.h"

namespace nw::storage {

struct StoredHook {
  newswatch::v1::WebhookRecord record;
  uint64_t cursor = 0;  // hook_cursor/<id>
};

struct StoredEmail {
  newswatch::v1::EmailRecord record;
  uint64_t cursor = 0;  // email_cursor/<subscriber>
  std::optional<newswatch::v1::PendingEmail> pending;
};

class DeliveryStore {
 public:
  explicit DeliveryStore(Db& db) : db_(db) {}

  // The subscriber's newest alert cursor; 0 when it has none.
  absl::StatusOr<uint64_t> LastAlertCursor(absl::string_view subscriber) const;
  // The subscriber's oldest alert cursor still stored after retention; 0
  // when retention never deleted any of its alerts.
  absl::StatusOr<uint64_t> OldestAlertCursor(
      absl::string_view subscriber) const;

  // --- Webhooks.
  // The last number used in a generated id ("h-<n>"); 0 at first.
  absl::StatusOr<uint64_t> LastHookNumber() const;
  // Writes a new hook, its cursor and the id counter in one synced write.
  absl::Status AddHook(const newswatch::v1::WebhookRecord& record,
                       uint64_t hook_number, uint64_t cursor);
  // Rewrites a hook's record (state changes), synced.
  absl::Status UpdateHook(const newswatch::v1::WebhookRecord& record);
  // Deletes a hook's record and cursor. No error when it does not exist.
  absl::Status DeleteHook(absl::string_view id);
  // Unsynced: the cursors of hooks whose endpoints acknowledged alerts.
  absl::Status SetHookCursors(
      const std::vector<std::pair<std::string, uint64_t>>& cursors);
  // Every stored hook in id byte order. DataLoss on a bad record.
  absl::StatusOr<std::vector<StoredHook>> LoadHooks() const;

  // --- E-mail.
  // Writes the subscriber's settings and, when given, its cursor; synced.
  absl::Status PutEmail(const newswatch::v1::EmailRecord& record,
                        std::optional<uint64_t> cursor);
  // The subscriber's settings; nullopt when it has none.
  absl::StatusOr<std::optional<StoredEmail>> GetEmail(
      absl::string_view subscriber) const;
  // Deletes the subscriber's settings, cursor and pending digest.
  absl::Status DeleteEmail(absl::string_view subscriber);
  // Every subscriber's settings, in subscriber byte order.
  absl::StatusOr<std::vector<StoredEmail>> LoadEmails() const;
  // Records a message about to be sent, synced.
  absl::Status PutPendingEmail(absl::string_view subscriber,
                               const newswatch::v1::PendingEmail& pending);
  // After a send: the new cursor and record, and the pending message gone,
  // in one synced write.
  absl::Status FinishEmail(const newswatch::v1::EmailRecord& record,
                           uint64_t cursor);

 private:
  absl::StatusOr<std::optional<std::string>> GetMeta(
      const std::string& key) const;
  absl::StatusOr<uint64_t> GetU64(const std::string& key) const;

  Db& db_;
};

}  // namespace nw::storage

#endif  // NW_STORAGE_DELIVERY_STORE_H_
