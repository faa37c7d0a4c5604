#include "storage/subscriber_settings.h"

#include "absl/strings/str_cat.h"
#include "server/base/status_macros.h"
#include "storage/key_codec.h"
#include "storage/rocks_status.h"

namespace nw::storage {

using newswatch::v1::SubscriberSettings;

absl::StatusOr<std::unique_ptr<SubscriberSettingsStore>>
SubscriberSettingsStore::Open(Db& db) {
  auto store =
      std::unique_ptr<SubscriberSettingsStore>(new SubscriberSettingsStore(db));
  std::unique_ptr<rocksdb::Iterator> it(
      db.raw()->NewIterator(rocksdb::ReadOptions(), db.cf(Cf::kMeta)));
  const std::string prefix(kSettingsKeyPrefix);
  absl::MutexLock lock(&store->mu_);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    SubscriberSettings s;
    if (!s.ParseFromArray(it->value().data(),
                          static_cast<int>(it->value().size()))) {
      return absl::DataLossError(absl::StrCat(
          "stored settings of subscriber '",
          it->key().ToString().substr(prefix.size()), "' do not parse"));
    }
    store->settings_[s.subscriber()] = s;
  }
  if (!it->status().ok())
    return FromRocksStatus(it->status(), "SubscriberSettingsStore::Open");
  return store;
}

SubscriberSettings SubscriberSettingsStore::WithDefaults(SubscriberSettings s) {
  if (!s.has_collapse_stories()) s.set_collapse_stories(true);
  return s;
}

SubscriberSettings SubscriberSettingsStore::Get(
    absl::string_view subscriber) const {
  absl::MutexLock lock(&mu_);
  auto it = settings_.find(subscriber);
  SubscriberSettings s;
  if (it != settings_.end()) s = it->second;
  s.set_subscriber(std::string(subscriber));
  return WithDefaults(std::move(s));
}

bool SubscriberSettingsStore::CollapseStories(
    absl::string_view subscriber) const {
  absl::MutexLock lock(&mu_);
  auto it = settings_.find(subscriber);
  return it == settings_.end() || !it->second.has_collapse_stories() ||
         it->second.collapse_stories();
}

absl::StatusOr<SubscriberSettings> SubscriberSettingsStore::Update(
    const SubscriberSettings& update) {
  if (update.subscriber().empty())
    return absl::InvalidArgumentError("settings: subscriber is required");
  if (update.subscriber().find('\0') != std::string::npos)
    return absl::InvalidArgumentError(
        "settings: subscriber must not contain NUL");
  absl::MutexLock write_lock(&write_mu_);
  SubscriberSettings next;
  {
    absl::MutexLock lock(&mu_);
    auto it = settings_.find(update.subscriber());
    if (it != settings_.end()) next = it->second;
  }
  next.set_subscriber(update.subscriber());
  if (update.has_collapse_stories())
    next.set_collapse_stories(update.collapse_stories());
  rocksdb::WriteBatch batch;
  batch.Put(db_.cf(Cf::kMeta), SettingsKey(update.subscriber()),
            next.SerializeAsString());
  NW_RETURN_IF_ERROR(db_.Write(batch, "SubscriberSettingsStore::Update"));
  {
    absl::MutexLock lock(&mu_);
    settings_[next.subscriber()] = next;
  }
  return WithDefaults(std::move(next));
}

}  // namespace nw::storage
