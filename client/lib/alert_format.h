// File: client/lib/alert_format.h
//
// How `newswatch watch` shows an alert: a human line (plus snippet lines for
// the highlights, given the article) or one JSON object.
#ifndef NW_CLIENT_LIB_ALERT_FORMAT_H_
#define NW_CLIENT_LIB_ALERT_FORMAT_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "newswatch/v1/alert.pb.h"
#include "newswatch/v1/article.pb.h"
#include "nlohmann/json.hpp"

namespace nw::client {

// "title", "body", or "unspecified".
absl::string_view HighlightFieldName(newswatch::v1::Highlight::Field field);

// "#<cursor>  <published>  <source>  <article_id>  <title>  [<rules>]",
// published as FormatTimestamp() or "-" when unset, the title on one line,
// each matched rule by its label (its id when it has none), joined by ", ".
std::string FormatAlertLine(const newswatch::v1::Alert& alert);

// What a rule is called when shown: its label, or its id without one.
absl::string_view RuleName(const newswatch::v1::RuleMatch& match);

// One line per highlight, "    <rule id> <field>: ...words [match] words...",
// cut from `article` (which must be the alert's article). For alerts stored
// before alerts carried snippets.
std::vector<std::string> FormatHighlightLines(
    const newswatch::v1::Alert& alert, const newswatch::v1::Article& article);

// Whether any matched rule of `alert` carries snippets (alerts stored before
// issue 14 have none; then FormatHighlightLines needs the article).
bool HasSnippets(const newswatch::v1::Alert& alert);

// At most `max_lines` lines, "    <rule> <field>: ...words [match] words...",
// from the alert's own snippets (rule by RuleName), in rule order; when
// snippets were left out, a last line "    (+N more snippets)" takes the
// last place.
std::vector<std::string> FormatSnippetLines(const newswatch::v1::Alert& alert,
                                            size_t max_lines = 3);

// {"cursor", "subscriber", "article_id", "article_sequence", "title",
//  "source", "published_at" (string or null), "created_at" (string or null),
//  "backfill" (true for alerts of a rule's backfill), "url",
//  "rule_ids": [...], "matches": [{"rule_id", "label", "highlights":
//  [["title"|"body", begin, end], ...], "snippets": [{"field", "text",
//  "begin", "more_after", "highlights": [[begin, end], ...]}, ...]}, ...]}
// (snippet highlights are byte ranges of the snippet's text)
nlohmann::ordered_json AlertToJson(const newswatch::v1::Alert& alert);

// AlertToJson() on one line; invalid UTF-8 in the title becomes U+FFFD.
std::string FormatAlertJson(const newswatch::v1::Alert& alert);

}  // namespace nw::client

#endif  // NW_CLIENT_LIB_ALERT_FORMAT_H_
