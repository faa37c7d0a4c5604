#include "storage/rule_store.h"

#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "server/base/status_macros.h"
#include "storage/key_codec.h"
#include "storage/rocks_status.h"

namespace nw::storage {

absl::Status RuleStore::PutMany(
    const std::vector<newswatch::v1::WatchRule>& rules) {
  rocksdb::WriteBatch batch;
  std::string value;
  for (const newswatch::v1::WatchRule& rule : rules) {
    rule.SerializeToString(&value);
    batch.Put(db_.cf(Cf::kRules), rule.id(), value);
  }
  return db_.Write(batch, "RuleStore::PutMany");
}

absl::Status RuleStore::Put(const newswatch::v1::WatchRule& rule,
                            uint64_t rule_number, const BackfillJob* backfill) {
  rocksdb::WriteBatch batch;
  if (backfill != nullptr) {
    batch.Put(db_.cf(Cf::kMeta), BackfillJobKey(rule.id()),
              EncodeBackfillJob(*backfill));
  }
  batch.Put(db_.cf(Cf::kRules), rule.id(), rule.SerializeAsString());
  batch.Put(db_.cf(Cf::kMeta), std::string(kLastRuleNumberKey),
            EncodeU64(rule_number));
  return db_.Write(batch, "RuleStore::Put");
}

absl::StatusOr<newswatch::v1::WatchRule> RuleStore::Get(
    absl::string_view id) const {
  std::string value;
  rocksdb::Status s =
      db_.raw()->Get(rocksdb::ReadOptions(), db_.cf(Cf::kRules),
                     rocksdb::Slice(id.data(), id.size()), &value);
  if (s.IsNotFound())
    return absl::NotFoundError(absl::StrCat("no rule with id '", id, "'"));
  if (!s.ok()) return FromRocksStatus(s, "RuleStore::Get");
  newswatch::v1::WatchRule rule;
  if (!rule.ParseFromString(value)) {
    return absl::DataLossError(
        absl::StrCat("stored rule ", id, " does not parse"));
  }
  return rule;
}

absl::Status RuleStore::Delete(absl::string_view id) {
  NW_ASSIGN_OR_RETURN(newswatch::v1::WatchRule existing, Get(id));
  rocksdb::WriteBatch batch;
  batch.Delete(db_.cf(Cf::kRules), rocksdb::Slice(id.data(), id.size()));
  batch.Delete(db_.cf(Cf::kMeta), BackfillJobKey(id));
  return db_.Write(batch, "RuleStore::Delete");
}

absl::StatusOr<std::vector<newswatch::v1::WatchRule>> RuleStore::LoadAll()
    const {
  std::vector<newswatch::v1::WatchRule> rules;
  std::unique_ptr<rocksdb::Iterator> it(
      db_.raw()->NewIterator(rocksdb::ReadOptions(), db_.cf(Cf::kRules)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    newswatch::v1::WatchRule& rule = rules.emplace_back();
    if (!rule.ParseFromArray(it->value().data(),
                             static_cast<int>(it->value().size()))) {
      return absl::DataLossError(absl::StrCat(
          "stored rule ", it->key().ToString(), " does not parse"));
    }
  }
  if (!it->status().ok())
    return FromRocksStatus(it->status(), "RuleStore::LoadAll");
  return rules;
}

absl::StatusOr<uint64_t> RuleStore::LastRuleNumber() const {
  std::string value;
  rocksdb::Status s = db_.raw()->Get(rocksdb::ReadOptions(), db_.cf(Cf::kMeta),
                                     std::string(kLastRuleNumberKey), &value);
  if (s.IsNotFound()) return 0;
  if (!s.ok()) return FromRocksStatus(s, "RuleStore::LastRuleNumber");
  std::optional<uint64_t> n = DecodeU64(value);
  if (!n) return absl::DataLossError("bad last_rule_number record");
  return *n;
}

}  // namespace nw::storage
