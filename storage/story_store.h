// File: storage/story_store.h
//
// The stories column family (storage/FORMAT.md): per story, its member
// articles with the subscribers alerted on each (and those whose alert was
// collapsed into the story); per article in the story window, its band keys,
// from which the window is rebuilt at start. Records are written by
// CommitArticles in the ingest's WriteBatch (ArticleCommit::story_records),
// so they are exactly as durable as the articles and alerts.
//
// Thread safety: all methods may be called concurrently.
#ifndef NW_STORAGE_STORY_STORE_H_
#define NW_STORAGE_STORY_STORE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "newswatch/v1/article.pb.h"
#include "storage/db.h"

namespace nw::storage {

// One article of a story.
struct StoryMember {
  uint64_t sequence = 0;
  int64_t ingested_ns = 0;  // the article's ingest time, Unix nanoseconds
  std::vector<std::string> alerted;    // subscribers alerted on it
  std::vector<std::string> collapsed;  // subscribers whose alert it was not
};

// A record for the stories CF: (key, value), to write with a commit.
using StoryRecord = std::pair<std::string, std::string>;

StoryRecord EncodeStoryMember(absl::string_view story_id,
                              const StoryMember& member);
// `band_keys`: opaque bytes (server/stories/story_sketch.h).
StoryRecord EncodeStorySketch(uint64_t sequence, int64_t ingested_ns,
                              absl::string_view band_keys);

// A stored sketch of an article in the window.
struct StoredSketch {
  uint64_t sequence = 0;
  int64_t ingested_ns = 0;
  std::string band_keys;
};

class StoryStore {
 public:
  explicit StoryStore(Db& db) : db_(db) {}

  // The members of `story_id`, by ascending sequence; empty when none.
  // DataLoss when a record is malformed.
  absl::StatusOr<std::vector<StoryMember>> Members(
      absl::string_view story_id) const;

  // The sketches of articles ingested at or after `since_ns`, by ascending
  // sequence (read from the newest back; ingest times rise with sequence).
  absl::StatusOr<std::vector<StoredSketch>> SketchesSince(
      int64_t since_ns) const;

  // The stored article with this sequence. NotFound when absent (e.g.
  // deleted by retention); DataLoss when it does not parse.
  absl::StatusOr<newswatch::v1::Article> ArticleAt(uint64_t sequence) const;

 private:
  Db& db_;
};

}  // namespace nw::storage

#endif  // NW_STORAGE_STORY_STORE_H_
