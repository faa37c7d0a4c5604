#include "storage/backfill_job.h"

#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "storage/key_codec.h"
#include "storage/rocks_status.h"

namespace nw::storage {

std::string EncodeBackfillJob(const BackfillJob& job) {
  return EncodeU64(static_cast<uint64_t>(job.since_unix_nanos)) +
         EncodeU64(job.up_to) + EncodeU64(job.after);
}

std::optional<BackfillJob> DecodeBackfillJob(absl::string_view rule_id,
                                             absl::string_view value) {
  if (value.size() != 24) return std::nullopt;
  std::optional<uint64_t> since = DecodeU64(value.substr(0, 8));
  std::optional<uint64_t> up_to = DecodeU64(value.substr(8, 8));
  std::optional<uint64_t> after = DecodeU64(value.substr(16, 8));
  if (!since || !up_to || !after) return std::nullopt;
  return BackfillJob{.rule_id = std::string(rule_id),
                     .since_unix_nanos = static_cast<int64_t>(*since),
                     .up_to = *up_to,
                     .after = *after};
}

absl::StatusOr<std::vector<BackfillJob>> LoadBackfillJobs(const Db& db) {
  std::vector<BackfillJob> jobs;
  std::unique_ptr<rocksdb::Iterator> it(
      db.raw()->NewIterator(rocksdb::ReadOptions(), db.cf(Cf::kMeta)));
  const rocksdb::Slice prefix(kBackfillJobKeyPrefix.data(),
                              kBackfillJobKeyPrefix.size());
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    const absl::string_view key(it->key().data(), it->key().size());
    const absl::string_view rule_id = key.substr(prefix.size());
    std::optional<BackfillJob> job = DecodeBackfillJob(
        rule_id, absl::string_view(it->value().data(), it->value().size()));
    if (!job) {
      return absl::DataLossError(absl::StrCat("stored backfill of rule ",
                                              rule_id, " does not decode"));
    }
    jobs.push_back(*std::move(job));
  }
  if (!it->status().ok())
    return FromRocksStatus(it->status(), "LoadBackfillJobs");
  return jobs;
}

}  // namespace nw::storage
