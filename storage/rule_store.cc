#include "storage/rule_store.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>

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

absl::Status RuleStore::ForEachChunk(
    size_t chunk,
    absl::FunctionRef<absl::Status(std::vector<newswatch::v1::WatchRule>&)> fn)
    const {
  chunk = std::max<size_t>(chunk, 1);
  // One iterator reads the records in order; parsing them is the larger part
  // and independent per record: a chunk is read, then parsed on every core.
  // The chunk's strings and messages are reused (daemon start with 1M
  // rules, issue 16: fresh memory for every rule cost more in page faults
  // than the parsing).
  std::vector<std::string> records, keys;  // grown as needed, then reused
  std::vector<newswatch::v1::WatchRule> rules;
  std::unique_ptr<rocksdb::Iterator> it(
      db_.raw()->NewIterator(rocksdb::ReadOptions(), db_.cf(Cf::kRules)));
  it->SeekToFirst();
  while (it->Valid()) {
    size_t n = 0;
    for (; n < chunk && it->Valid(); it->Next(), ++n) {
      if (n == records.size()) {
        records.emplace_back();
        keys.emplace_back();
      }
      records[n].assign(it->value().data(), it->value().size());
      keys[n].assign(it->key().data(), it->key().size());
    }
    rules.resize(n);
    std::atomic<size_t> first_bad{SIZE_MAX};
    const size_t threads = std::clamp<size_t>(
        std::thread::hardware_concurrency(), 1, std::max<size_t>(n / 4096, 1));
    auto parse = [&](size_t k) {
      for (size_t i = n * k / threads; i < n * (k + 1) / threads; ++i) {
        if (!rules[i].ParseFromString(records[i])) {
          size_t seen = first_bad.load();
          while (i < seen && !first_bad.compare_exchange_weak(seen, i)) {
          }
        }
      }
    };
    std::vector<std::thread> pool;
    for (size_t k = 1; k < threads; ++k) pool.emplace_back(parse, k);
    parse(0);  // on this thread: its malloc arena grows cheaply
    for (std::thread& t : pool) t.join();
    if (const size_t bad = first_bad.load(); bad != SIZE_MAX) {
      return absl::DataLossError(
          absl::StrCat("stored rule ", keys[bad], " does not parse"));
    }
    NW_RETURN_IF_ERROR(fn(rules));
  }
  if (!it->status().ok())
    return FromRocksStatus(it->status(), "RuleStore::ForEachChunk");
  return absl::OkStatus();
}

absl::StatusOr<std::vector<newswatch::v1::WatchRule>> RuleStore::LoadAll()
    const {
  std::vector<newswatch::v1::WatchRule> all;
  NW_RETURN_IF_ERROR(
      ForEachChunk(65536, [&](std::vector<newswatch::v1::WatchRule>& rules) {
        if (all.empty()) {
          all.swap(rules);
        } else {
          all.insert(all.end(), std::make_move_iterator(rules.begin()),
                     std::make_move_iterator(rules.end()));
        }
        return absl::OkStatus();
      }));
  return all;
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
