// File: client/match/stories_runner.h
//
// newswatch-match --stories: the story of every article of a JSON Lines file
// (stories.md), file order = ingest order, one window covering the file,
// decided by the daemon's StoryWindow (server/stories/story_window.h).
#ifndef NW_CLIENT_MATCH_STORIES_RUNNER_H_
#define NW_CLIENT_MATCH_STORIES_RUNNER_H_

#include <iosfwd>
#include <string>

namespace nw::match_tool {

// Reads articles ({"id", "body", ...} per line) from `path` and writes one
// line per article to `out`, in file order:
// {"article_id": ..., "story_id": ..., "duplicate_of": ... or null}.
// With `stats`, writes a summary (articles, duplicates, window memory per
// article, CPU seconds) to `err`. Returns the exit code: 0, or 1 when the
// file cannot be read or a line is not an article (named on `err`).
int RunStories(const std::string& path, bool stats, std::ostream& out,
               std::ostream& err);

}  // namespace nw::match_tool

#endif  // NW_CLIENT_MATCH_STORIES_RUNNER_H_
