// File: server/cluster/naming.h
//
// Names in NATS: streams, buckets, subjects and keys. Ids and subscriber
// names may hold any byte, subjects and keys only [-_=./a-zA-Z0-9], so
// they are hex-encoded where they become a token.
#ifndef NW_SERVER_CLUSTER_NAMING_H_
#define NW_SERVER_CLUSTER_NAMING_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace nw::cluster {

inline constexpr char kArticleStream[] = "NW_ARTICLES";
inline constexpr char kArticleSubject[] = "nw.art";
inline constexpr char kAlertStream[] = "NW_ALERTS";
inline constexpr char kRulesBucket[] = "NW_RULES";
inline constexpr char kArticleIdsBucket[] = "NW_ARTICLE_IDS";
inline constexpr char kOwnersBucket[] = "NW_OWNERS";
inline constexpr char kMetaBucket[] = "NW_META";
// Backfill jobs of rules created with one (key: hex rule id).
inline constexpr char kBackfillBucket[] = "NW_BACKFILL";

// Headers on alert messages.
inline constexpr char kArticleSeqHeader[] = "Nw-Art-Seq";
inline constexpr char kExpectedSubjectSeqHeader[] =
    "Nats-Expected-Last-Subject-Sequence";

std::string Hex(absl::string_view bytes);
std::string Unhex(absl::string_view hex);

// The partition of `subscriber`'s rules and alerts: FNV-1a 64 mod
// `partitions`, the same in every process and release.
int PartitionOf(absl::string_view subscriber, int partitions);

// "nw.alr.<p>.<hex subscriber>": one subject per subscriber's alert log.
std::string AlertSubject(int partition, absl::string_view subscriber);
// The live (republished) copy of the same.
std::string LiveSubject(int partition, absl::string_view subscriber);

// Keys in kOwnersBucket and kMetaBucket.
std::string OwnerKey(int partition);             // "p<p>"
std::string NodeKey(absl::string_view node_id);  // "node.<hex>"
std::string CheckpointKey(int partition);        // "ckpt.p<p>"

}  // namespace nw::cluster

#endif  // NW_SERVER_CLUSTER_NAMING_H_
