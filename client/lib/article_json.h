// File: client/lib/article_json.h
//
// The JSON Lines article format of /work/shared/data (one object a line:
// id, source, title, body, published, topics, places, lang; optionally url
// and tags) to and from newswatch.v1.Article, and the timestamp text forms
// the client prints.
#ifndef NW_CLIENT_LIB_ARTICLE_JSON_H_
#define NW_CLIENT_LIB_ARTICLE_JSON_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/timestamp.pb.h"
#include "newswatch/v1/article.pb.h"
#include "nlohmann/json.hpp"

namespace nw::client {

// Parses one line. `location` names it in errors, e.g. "news.jsonl:12".
// - `published` ("" or absent leaves published_at unset) is read with
//   ParseIsoTimestamp();
// - `topics`, then `places`, then `tags` become Article.tags (in that order,
//   exact repeats dropped);
// - unknown keys are ignored; a known key of the wrong type, bad JSON or a
//   non-object is InvalidArgument naming `location`.
absl::StatusOr<newswatch::v1::Article> ParseArticleJson(
    absl::string_view line, absl::string_view location);

// ISO-8601 date ("2021-02-23") or date-time ("1987-02-26T15:01:01.79",
// minutes or seconds, fraction up to 9 digits, 'T' or ' ' between) without a
// zone, read as UTC. A trailing "Z" is accepted. InvalidArgument otherwise.
absl::StatusOr<google::protobuf::Timestamp> ParseIsoTimestamp(
    absl::string_view text);

// RFC 3339 in UTC with as many fraction digits as needed,
// e.g. "1987-02-26T15:01:01.79Z".
std::string FormatTimestamp(const google::protobuf::Timestamp& ts);

// The stored article as JSON: id, sequence, source, title, body, url, lang,
// tags, published_at, ingested_at (timestamps as FormatTimestamp() strings,
// null when unset).
nlohmann::ordered_json ArticleToJson(const newswatch::v1::Article& article);

}  // namespace nw::client

#endif  // NW_CLIENT_LIB_ARTICLE_JSON_H_
