// File: storage/alert_record.h
//
// The value of an alert in the `alerts` column family (storage/FORMAT.md).
// Two forms:
//   full     a serialized `Alert`, every field set (format 1, and backfill
//            alerts: their article may be deleted before them);
//   compact  kCompactAlertMarker, then a serialized `Alert` holding only what
//            cannot be rebuilt from its stored article (cursor, subscriber,
//            article id and sequence, matches with rule id, label and
//            highlights, created_at, backfill, story_id). AlertLog::ReadAfter
//            completes it from the article (AlertCompleter).
// A full value never starts with the marker: a serialized Alert starts with
// a field tag, and tag 0 does not exist.
//
// Thread safety: pure functions.
#ifndef NW_STORAGE_ALERT_RECORD_H_
#define NW_STORAGE_ALERT_RECORD_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "newswatch/v1/alert.pb.h"
#include "newswatch/v1/article.pb.h"

namespace nw::storage {

inline constexpr char kCompactAlertMarker = '\0';

// Rebuilds the fields of a compact `alert` that come from its `article`
// (title, source, url, published_at, rule_ids, snippets), exactly as the
// alert had them when it was made. server/ingest/alert_builder.h's
// CompleteAlert; storage only calls it.
using AlertCompleter = void (*)(const newswatch::v1::Article& article,
                                newswatch::v1::Alert& alert);

// Sets `value` to the stored form of `alert`: compact (the alert must hold
// only the compact fields; others would be stored and then overwritten on
// read) or full.
void EncodeAlertRecord(const newswatch::v1::Alert& alert, bool compact,
                       std::string* value);

// EncodeAlertRecord, appending to `value`.
void AppendAlertRecord(const newswatch::v1::Alert& alert, bool compact,
                       std::string* value);

// Parses a stored value into `alert`; returns whether it was compact.
// DataLoss when it does not parse.
absl::StatusOr<bool> DecodeAlertRecord(absl::string_view value,
                                       newswatch::v1::Alert* alert);

// The rule_ids of a compact alert, from its matches (what the full alert
// held: the same ids in the same order).
void SetRuleIdsFromMatches(newswatch::v1::Alert& alert);

}  // namespace nw::storage

#endif  // NW_STORAGE_ALERT_RECORD_H_
