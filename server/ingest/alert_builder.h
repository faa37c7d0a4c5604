// File: server/ingest/alert_builder.h
#ifndef NW_SERVER_INGEST_ALERT_BUILDER_H_
#define NW_SERVER_INGEST_ALERT_BUILDER_H_

#include <vector>

#include "newswatch/v1/alert.pb.h"
#include "newswatch/v1/article.pb.h"
#include "server/index/rule_snapshot.h"
#include "server/match/analyzed_article.h"

namespace nw::ingest {

// The article's text and metadata analyzed for matching (spec §1, §2).
match::AnalyzedArticle AnalyzeArticle(const newswatch::v1::Article& article);

// One alert per subscriber of `hits` (which come ordered by subscriber, then
// rule id), each listing its matched rules with their labels, highlights and
// snippets (snippets.h), and the article's title, source, url and times.
// Cursor, article id and sequence are left for the committer to set.
// The same as BuildCompactAlerts, then CompleteAlert on each.
std::vector<newswatch::v1::Alert> BuildAlerts(
    const newswatch::v1::Article& article,
    const std::vector<index::RuleHit>& hits);

// BuildAlerts' alerts with only what the article cannot give again
// (storage/alert_record.h's compact form): subscriber, matches (rule id,
// label, highlights) and created_at (the article's ingest time). This is
// what ingest stores; CompleteAlert makes it the full alert.
std::vector<newswatch::v1::Alert> BuildCompactAlerts(
    const newswatch::v1::Article& article,
    const std::vector<index::RuleHit>& hits);

// Sets the fields of `alert` that come from `article`, replacing what they
// held: title, source, url, published_at, rule_ids (from the matches, in
// their order) and each match's snippets (from its highlights). Deterministic,
// so a compact alert completed from its stored article equals the alert
// completed when it was published. Matches `storage::AlertCompleter`.
void CompleteAlert(const newswatch::v1::Article& article,
                   newswatch::v1::Alert& alert);

}  // namespace nw::ingest

#endif  // NW_SERVER_INGEST_ALERT_BUILDER_H_
