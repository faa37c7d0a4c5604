#include "storage/commit_batch.h"

#include <string>

#include "storage/key_codec.h"
#include "storage/rocks_status.h"

namespace nw::storage {

absl::Status CommitArticles(Db& db, const std::vector<ArticleCommit>& commits) {
  rocksdb::WriteBatch batch;
  uint64_t last_sequence = 0;
  for (const ArticleCommit& commit : commits) {
    if (commit.article != nullptr) {
      const newswatch::v1::Article& article = *commit.article;
      const std::string seq_key = EncodeU64(article.sequence());
      batch.Put(db.cf(Cf::kArticles), seq_key, article.SerializeAsString());
      batch.Put(db.cf(Cf::kArticleIds), article.id(), seq_key);
      last_sequence = std::max(last_sequence, article.sequence());
    }
    for (const newswatch::v1::Alert& alert : *commit.alerts) {
      batch.Put(db.cf(Cf::kAlerts), AlertKey(alert.subscriber(), alert.cursor()),
                alert.SerializeAsString());
      batch.Put(db.cf(Cf::kMeta), CursorKey(alert.subscriber()), EncodeU64(alert.cursor()));
    }
  }
  if (last_sequence > 0) {
    batch.Put(db.cf(Cf::kMeta), std::string(kLastSequenceKey), EncodeU64(last_sequence));
  }
  return db.Write(batch, "CommitArticles");
}

}  // namespace nw::storage
