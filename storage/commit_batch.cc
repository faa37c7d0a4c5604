#include "storage/commit_batch.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "storage/alert_record.h"
#include "storage/key_codec.h"
#include "storage/rocks_status.h"

namespace nw::storage {

absl::Status CommitArticles(Db& db, const std::vector<ArticleCommit>& commits) {
  // Reserved up front: growing the batch's buffer by doubling copied it
  // again and again (~7 % of ingest CPU at ~180 alerts per article).
  size_t reserve = 64;
  size_t alert_count = 0;
  for (const ArticleCommit& commit : commits) {
    if (commit.article != nullptr)
      reserve += commit.article->body().size() + 512;
    reserve += commit.alerts->size() * 192;
    alert_count += commit.alerts->size();
  }
  rocksdb::WriteBatch batch(reserve);
  uint64_t last_sequence = 0;
  // Every alert's key and value, encoded in the order the alerts lie in
  // memory (in key order, reading the protos' scattered fields was ~9 % of
  // ingest CPU), into two buffers: no allocation per alert (a 100k-rule set
  // makes ~180 alerts per article).
  struct Encoded {
    size_t key_at, key_size, value_at, value_size;
  };
  std::vector<Encoded> alerts;
  std::string keys;
  std::string values;
  alerts.reserve(alert_count);
  keys.reserve(alert_count * 24);
  values.reserve(alert_count * 128);
  for (const ArticleCommit& commit : commits) {
    if (commit.article != nullptr) {
      const newswatch::v1::Article& article = *commit.article;
      const std::string seq_key = EncodeU64(article.sequence());
      batch.Put(db.cf(Cf::kArticles), seq_key, article.SerializeAsString());
      batch.Put(db.cf(Cf::kArticleIds), article.id(), seq_key);
      last_sequence = std::max(last_sequence, article.sequence());
    }
    for (const newswatch::v1::Alert& alert : *commit.alerts) {
      Encoded& e = alerts.emplace_back();
      e.key_at = keys.size();
      AppendAlertKey(alert.subscriber(), alert.cursor(), &keys);
      e.key_size = keys.size() - e.key_at;
      e.value_at = values.size();
      AppendAlertRecord(alert, commit.compact_alerts, &values);
      e.value_size = values.size() - e.value_at;
    }
    if (commit.backfill != nullptr) {
      const std::string key = BackfillJobKey(commit.backfill->rule_id);
      if (commit.backfill_done) {
        batch.Delete(db.cf(Cf::kMeta), key);
      } else {
        batch.Put(db.cf(Cf::kMeta), key, EncodeBackfillJob(*commit.backfill));
      }
    }
    if (commit.story_records != nullptr) {
      for (const auto& [key, value] : *commit.story_records)
        batch.Put(db.cf(Cf::kStories), key, value);
    }
  }
  // In key order: the memtable's skip list keeps its last insert position, so
  // ascending keys are found from there instead of from the top (memtable
  // inserts were a third of ingest CPU when alerts went in article order).
  const auto key_of = [&keys](const Encoded& e) {
    return absl::string_view(keys).substr(e.key_at, e.key_size);
  };
  std::sort(alerts.begin(), alerts.end(),
            [&](const Encoded& a, const Encoded& b) {
              return key_of(a) < key_of(b);
            });
  for (const Encoded& e : alerts) {
    batch.Put(db.cf(Cf::kAlerts),
              rocksdb::Slice(keys.data() + e.key_at, e.key_size),
              rocksdb::Slice(values.data() + e.value_at, e.value_size));
  }
  // No per-subscriber cursor record: the last alert key is the last cursor
  // (storage/last_cursor.h); one more memtable entry per subscriber and
  // write was ~half the keys of a one-article commit.
  if (last_sequence > 0) {
    batch.Put(db.cf(Cf::kMeta), std::string(kLastSequenceKey),
              EncodeU64(last_sequence));
  }
  return db.Write(batch, "CommitArticles");
}

}  // namespace nw::storage
