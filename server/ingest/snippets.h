// File: server/ingest/snippets.h
//
// Snippets: short excerpts of an article's title and body around a rule's
// highlights, stored in the alert (RuleMatch.snippets) so that an alert can
// be shown, mailed or POSTed without fetching its article (issue 14).
//
// A snippet is cut at UTF-8 code point boundaries and, when the text has a
// space near the cut, at a word boundary; its highlights are byte ranges of
// the snippet's own text. A field no longer than `max_bytes` is one snippet,
// whole.
//
// Thread safety: pure functions.
#ifndef NW_SERVER_INGEST_SNIPPETS_H_
#define NW_SERVER_INGEST_SNIPPETS_H_

#include <cstddef>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "newswatch/v1/alert.pb.h"
#include "server/match/evaluator.h"

namespace nw::ingest {

struct SnippetOptions {
  // Snippets per rule (title ones first). Default: 3.
  size_t max_snippets = 3;
  // Bytes of text kept before the first highlight of a snippet and after
  // its last one, before cutting back to a word boundary. Default: 80.
  size_t context_bytes = 80;
  // A snippet's text is at most this long (a highlight longer than this is
  // kept whole). Default: 240.
  size_t max_bytes = 240;
};

// The snippets of one rule's `highlights` (any order) in `title` and `body`
// (valid UTF-8, as ingest checked). Highlights out of the text's range are
// skipped. Empty when there are no highlights.
std::vector<newswatch::v1::Snippet> BuildSnippets(
    absl::string_view title, absl::string_view body,
    absl::Span<const match::Highlight> highlights,
    const SnippetOptions& options = {});

}  // namespace nw::ingest

#endif  // NW_SERVER_INGEST_SNIPPETS_H_
