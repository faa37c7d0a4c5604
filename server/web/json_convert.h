// File: server/web/json_convert.h
//
// The web console's JSON: alerts with their highlighted title and body
// snippets already cut into segments (segments.h), rules, articles, errors.
// Article text is bytes in the proto (base64 in protobuf's JSON mapping), so
// these are written by hand.
#ifndef NW_SERVER_WEB_JSON_CONVERT_H_
#define NW_SERVER_WEB_JSON_CONVERT_H_

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "newswatch/v1/alert.pb.h"
#include "newswatch/v1/article.pb.h"
#include "newswatch/v1/rule.pb.h"
#include "newswatch/v1/rule_service.pb.h"
#include "nlohmann/json.hpp"

namespace nw::web {

// The HTTP status for a status code (the usual gRPC-to-HTTP table: 400 for
// INVALID_ARGUMENT, FAILED_PRECONDITION and OUT_OF_RANGE, 401, 403, 404, 409
// for ALREADY_EXISTS and ABORTED, 429, 499, 501, 503, 504, else 500).
int HttpStatusFor(absl::StatusCode code);

// {"code": "INVALID_ARGUMENT", "message": ...}, plus "error_offset" for a
// rule error.
nlohmann::json ErrorJson(const absl::Status& status);

// RFC 3339 UTC, or null when unset.
nlohmann::json TimeJson(const google::protobuf::Timestamp& t);

// An alert: cursor, subscriber, article_id, title, title_segments, source,
// url, published_at, created_at, backfill, rules [{id, label}] (labels from
// `labels`, by rule id), matches (raw byte ranges) and, when `article` is
// given, body snippets with segments.
nlohmann::json AlertJson(
    const newswatch::v1::Alert& alert, const newswatch::v1::Article* article,
    const absl::flat_hash_map<std::string, std::string>& labels);

nlohmann::json RuleJson(const newswatch::v1::WatchRule& rule);
nlohmann::json ArticleJson(const newswatch::v1::Article& article);
nlohmann::json ValidateJson(const newswatch::v1::ValidateRuleResponse& r);

// Serializes without throwing: invalid UTF-8 becomes U+FFFD.
std::string Dump(const nlohmann::json& j);

}  // namespace nw::web

#endif  // NW_SERVER_WEB_JSON_CONVERT_H_
