// File: client/lib/article_json.h
//
// The JSON Lines article format of /work/shared/data (one object a line:
// id, source, title, body, published, topics, places, lang; optionally url
// and tags) to and from newswatch.v1.Article, and the timestamp text forms
// the client prints.
#ifndef NW_CLIENT_LIB_ARTICLE_JSON_H_
#define NW_CLIENT_LIB_ARTICLE_JSON_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/timestamp.pb.h"
#include "newswatch/v1/article.pb.h"
#include "nlohmann/json.hpp"

namespace nw::client {

// Parses one line. `location` names it in errors, e.g. "news.jsonl:12".
// - `published` (or `published_at`, as `newswatch get` prints it; "" or
//   absent leaves published_at unset) is read with ParseArticleTimestamp();
// - `topics`, then `places`, then `tags` become Article.tags (in that order,
//   exact repeats dropped);
// - an article without an id gets StableArticleId(), so that submitting the
//   same file twice makes duplicates, not new articles;
// - unknown keys are ignored, each with a warning appended to `warnings`
//   (when given) naming `location` and the closest known key ("publishedAt":
//   did you mean "published"?); a known key of the wrong type, bad JSON or a
//   non-object is InvalidArgument naming `location`.
absl::StatusOr<newswatch::v1::Article> ParseArticleJson(
    absl::string_view line, absl::string_view location,
    std::vector<std::string>* warnings = nullptr);

// The id of an article that came without one: its url when it has one (of
// at most 200 bytes), else "sha256-" and 32 hex digits of the SHA-256 of its
// source, title, body and publication time. Same content, same id.
std::string StableArticleId(const newswatch::v1::Article& article);

// ISO-8601 / RFC 3339 date ("2021-02-23") or date-time
// ("1987-02-26T15:01:01.79", minutes or seconds, fraction up to 9 digits,
// 'T' or ' ' between) with a zone "Z" or an offset ("+02:00", "-0500"); no
// zone is read as UTC. InvalidArgument otherwise.
absl::StatusOr<google::protobuf::Timestamp> ParseIsoTimestamp(
    absl::string_view text);

// RFC 822 / RFC 2822 as in RSS: "Tue, 23 Feb 2021 10:00:00 GMT" (day name
// optional, seconds optional, 2-digit years, zones +HHMM, GMT, UT, UTC, Z and
// EST...PDT). InvalidArgument otherwise.
absl::StatusOr<google::protobuf::Timestamp> ParseRfc822Timestamp(
    absl::string_view text);

// ParseIsoTimestamp(), else ParseRfc822Timestamp() for text that does not
// start like an ISO date.
absl::StatusOr<google::protobuf::Timestamp> ParseArticleTimestamp(
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
