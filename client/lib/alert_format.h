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

// "#<cursor>  <published>  <source>  <article_id>  <title>  [<rule ids>]",
// published as FormatTimestamp() or "-" when unset, the title on one line.
std::string FormatAlertLine(const newswatch::v1::Alert& alert);

// One line per highlight, "    <rule id> <field>: ...words [match] words...",
// cut from `article` (which must be the alert's article).
std::vector<std::string> FormatHighlightLines(
    const newswatch::v1::Alert& alert, const newswatch::v1::Article& article);

// {"cursor", "subscriber", "article_id", "article_sequence", "title",
//  "source", "published_at" (string or null), "created_at" (string or null),
//  "backfill" (true for alerts of a rule's backfill),
//  "rule_ids": [...], "matches": [{"rule_id", "highlights":
//  [["title"|"body", begin, end], ...]}, ...]}
nlohmann::ordered_json AlertToJson(const newswatch::v1::Alert& alert);

// AlertToJson() on one line; invalid UTF-8 in the title becomes U+FFFD.
std::string FormatAlertJson(const newswatch::v1::Alert& alert);

}  // namespace nw::client

#endif  // NW_CLIENT_LIB_ALERT_FORMAT_H_
