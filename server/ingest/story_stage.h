// File: server/ingest/story_stage.h
//
// The committer's story step (../shared/spec/stories.md, issue 13): decides
// each new article's story with the story window (server/stories), sets
// Article.story_id / duplicate_of and Alert.story_id, and drops the alert of
// a subscriber who was already alerted on the story within the window and
// collapses stories (SubscriberSettings.collapse_stories, default on): the
// article is recorded against the story instead. Backfill alerts follow the
// same rule. Everything it decides is returned as stories-CF records for the
// group's one WriteBatch, so it survives a crash exactly like the alerts;
// the window is rebuilt from those records at start.
//
// Thread safety: not thread-safe. Create runs before ingest starts; every
// other method runs on the committer thread, in commit order.
#ifndef NW_SERVER_INGEST_STORY_STAGE_H_
#define NW_SERVER_INGEST_STORY_STAGE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "newswatch/v1/alert.pb.h"
#include "newswatch/v1/article.pb.h"
#include "server/match/analyzed_article.h"
#include "server/stories/story_window.h"
#include "storage/story_store.h"
#include "storage/subscriber_settings.h"

namespace nw::ingest {

class StoryStage {
 public:
  // Rebuilds the window from the band keys stored for articles ingested
  // since now - window. `settings` may be null (collapse for everyone);
  // both must outlive the stage. Errors: storage reads.
  static absl::StatusOr<std::unique_ptr<StoryStage>> Create(
      storage::Db& db, const storage::SubscriberSettingsStore* settings,
      absl::Time now, stories::StoryWindowOptions options = {});

  // The body's shingle hashes from its analysis (each distinct word hashed
  // once). Thread-safe: runs in Prepare, on the match threads.
  static std::vector<uint64_t> ShinglesOf(const match::AnalyzedArticle& a);

  // Starts a commit group (forgets the previous group's pending state).
  void BeginGroup();

  // For a new article (sequence, id and ingested_at set; its alerts without
  // cursors): decides its story, sets the fields, removes collapsed alerts
  // and appends its records to `records`. Errors: storage reads; then the
  // article is not in the window and nothing was changed.
  absl::Status AddArticle(newswatch::v1::Article& article,
                          std::vector<uint64_t> shingles,
                          std::vector<newswatch::v1::Alert>& alerts,
                          std::vector<storage::StoryRecord>& records);

  // Backfill alerts of stored articles (story_id set): removes those the
  // rule collapses, records the rest. Errors: storage reads (the alerts may
  // be partly filtered: the caller fails the request).
  absl::Status FilterBackfill(std::vector<newswatch::v1::Alert>& alerts,
                              std::vector<storage::StoryRecord>& records);

  // The group's write failed: its articles leave the window (sequence
  // numbers after `last_sequence` will be used again).
  void AbortGroup(uint64_t last_sequence);

  const stories::StoryWindow& window() const { return window_; }
  // How long the rebuild at start took, and how many articles it loaded.
  absl::Duration rebuild_time() const { return rebuild_time_; }

 private:
  StoryStage(storage::Db& db, const storage::SubscriberSettingsStore* settings,
             stories::StoryWindowOptions options)
      : store_(db), settings_(settings), options_(options), window_(options) {}

  struct GroupArticle {
    std::string id, story_id;
    std::string_view body;  // the Prepared article's, alive until commit
  };
  absl::StatusOr<stories::ShingleSet> LoadShingles(uint64_t sequence) const;
  // The story's members, with this group's changes.
  absl::StatusOr<std::vector<storage::StoryMember>> Members(
      const std::string& story_id) const;
  bool Collapses(const std::vector<storage::StoryMember>& members,
                 const std::string& subscriber, uint64_t sequence,
                 int64_t ingested_ns) const;
  void Record(const std::string& story_id, const storage::StoryMember& member,
              std::vector<storage::StoryRecord>& records);

  storage::StoryStore store_;
  const storage::SubscriberSettingsStore* const settings_;
  const stories::StoryWindowOptions options_;
  stories::StoryWindow window_;
  absl::Duration rebuild_time_;
  // This group's articles and changed members (key: story id, sequence).
  absl::flat_hash_map<uint64_t, GroupArticle> group_articles_;
  absl::flat_hash_map<std::string,
                      absl::flat_hash_map<uint64_t, storage::StoryMember>>
      group_members_;
};

}  // namespace nw::ingest

#endif  // NW_SERVER_INGEST_STORY_STAGE_H_
