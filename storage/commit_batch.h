// File: storage/commit_batch.h
//
// The one write of an ingest: the article, its dedupe key (id -> sequence),
// its alerts and the counters they advance, in a single rocksdb::WriteBatch,
// so that all of it lands or none of it does.
//
// Thread safety: Commit may be called concurrently, but the caller must
// assign sequence numbers and cursors in commit order (ingest::Committer
// does, on its one committer thread).
#ifndef NW_STORAGE_COMMIT_BATCH_H_
#define NW_STORAGE_COMMIT_BATCH_H_

#include <vector>

#include "absl/status/status.h"
#include "newswatch/v1/alert.pb.h"
#include "newswatch/v1/article.pb.h"
#include "storage/backfill_job.h"
#include "storage/db.h"
#include "storage/story_store.h"

namespace nw::storage {

struct ArticleCommit {
  // With id and sequence set. Its sequence becomes the new last sequence.
  // Null for alerts of an already stored article (backfill).
  const newswatch::v1::Article* article = nullptr;
  // With subscriber and cursor set; each cursor becomes that subscriber's last.
  const std::vector<newswatch::v1::Alert>* alerts = nullptr;
  // The alerts hold only the compact fields (storage/alert_record.h) and are
  // stored compact, to be completed from `article` on read. REQUIRES: article
  // is set. False: stored full, as given.
  bool compact_alerts = false;
  // Backfill alerts: the job's progress, stored in the same write (deleted
  // when `backfill_done`). Null otherwise.
  const BackfillJob* backfill = nullptr;
  bool backfill_done = false;
  // Records of the stories CF (storage/story_store.h) the commit changes:
  // story members, band keys. Null for none.
  const std::vector<StoryRecord>* story_records = nullptr;
};

// Writes every commit of `commits` in one WriteBatch (synced to the WAL when
// the Db was opened with sync). Errors: as RocksDB reports them, converted by
// FromRocksStatus; on error nothing was written.
absl::Status CommitArticles(Db& db, const std::vector<ArticleCommit>& commits);

}  // namespace nw::storage

#endif  // NW_STORAGE_COMMIT_BATCH_H_
