// File: storage/subscriber_settings.h
//
// Per-subscriber settings (SubscriberSettings, subscriber_service.proto),
// stored in the meta CF (settings/<subscriber>) and held in memory for the
// ingest path, which asks for one per alert of a near-duplicate.
//
// Thread safety: all methods may be called concurrently.
#ifndef NW_STORAGE_SUBSCRIBER_SETTINGS_H_
#define NW_STORAGE_SUBSCRIBER_SETTINGS_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "newswatch/v1/subscriber_service.pb.h"
#include "storage/db.h"

namespace nw::storage {

class SubscriberSettingsStore {
 public:
  // Loads every stored setting. DataLoss when a record does not parse.
  static absl::StatusOr<std::unique_ptr<SubscriberSettingsStore>> Open(Db& db);

  // The subscriber's settings with every field set (defaults for unset ones).
  newswatch::v1::SubscriberSettings Get(absl::string_view subscriber) const;
  // Whether near-duplicates of an alerted story are collapsed (default true).
  bool CollapseStories(absl::string_view subscriber) const;

  // Sets the fields present in `update` (subscriber required, no NUL),
  // writes them (synced like an ingest) and returns the result.
  // InvalidArgument for a bad subscriber; storage errors (nothing changed).
  absl::StatusOr<newswatch::v1::SubscriberSettings> Update(
      const newswatch::v1::SubscriberSettings& update);

 private:
  explicit SubscriberSettingsStore(Db& db) : db_(db) {}
  static newswatch::v1::SubscriberSettings WithDefaults(
      newswatch::v1::SubscriberSettings s);

  Db& db_;
  mutable absl::Mutex mu_;
  // Only subscribers with stored settings.
  absl::flat_hash_map<std::string, newswatch::v1::SubscriberSettings> settings_
      ABSL_GUARDED_BY(mu_);
  absl::Mutex write_mu_;  // one Update at a time: read-modify-write
};

}  // namespace nw::storage

#endif  // NW_STORAGE_SUBSCRIBER_SETTINGS_H_
