// File: server/catalog/rule_book.h
//
// The rule seam RuleService calls: RuleCatalog (single node, RocksDB) or
// cluster::ClusterRuleBook (NATS KV, watched by every matcher). Contracts are
// RuleCatalog's (rule_catalog.h).
//
// Thread safety: implementations allow concurrent calls.
#ifndef NW_SERVER_CATALOG_RULE_BOOK_H_
#define NW_SERVER_CATALOG_RULE_BOOK_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "newswatch/v1/rule.pb.h"
#include "server/index/indexed_rule.h"

namespace nw::catalog {

// What became of one rule of a bulk import (RuleBook::CreateMany).
struct ImportOutcome {
  enum class Kind { kCreated, kAlreadyPresent, kInvalid };
  Kind kind = Kind::kInvalid;
  // kInvalid: why, with the message CreateRule would give (for a query, the
  // byte offset, spec §4).
  absl::Status error;
  // kCreated: the id given to the rule; kAlreadyPresent: the id sent, if any.
  std::string id;
};

class RuleBook {
 public:
  virtual ~RuleBook() = default;
  virtual absl::StatusOr<newswatch::v1::WatchRule> Create(
      newswatch::v1::WatchRule rule,
      std::optional<absl::Time> backfill_since = std::nullopt) = 0;
  virtual absl::StatusOr<newswatch::v1::WatchRule> Get(
      absl::string_view id) const = 0;
  virtual absl::StatusOr<std::vector<newswatch::v1::WatchRule>> List(
      absl::string_view subscriber) const = 0;
  virtual absl::Status Delete(absl::string_view id) = 0;
  // Replaces the query and/or label (nullopt: unchanged) of rule `id`,
  // keeping its id (RuleCatalog::Update). Unimplemented where a book cannot
  // (yet) edit in place.
  virtual absl::StatusOr<newswatch::v1::WatchRule> Update(
      absl::string_view id, std::optional<std::string> query,
      std::optional<std::string> label) {
    return absl::UnimplementedError(
        "editing a rule in place is not available here: delete it and add "
        "the new one");
  }
  // Bulk import: creates each rule of `rules` as Create would (no backfill),
  // except that a rule the subscriber already has (the same canonical query,
  // or the same id with the same query) is kAlreadyPresent instead of a
  // second copy, and a bad rule is kInvalid without stopping the others.
  // One outcome per rule, in order. An error (storage, quorum) means none of
  // the rules still pending were stored. This default creates them one by
  // one; RuleCatalog stores them in one write and publishes one index delta.
  virtual absl::StatusOr<std::vector<ImportOutcome>> CreateMany(
      std::vector<newswatch::v1::WatchRule> rules);
  virtual size_t size() const = 0;
};

// Checks a rule a caller wants stored (subscriber, id if set, label, query),
// sets its canonical form and created_at, and compiles it. InvalidArgument
// (the message says what to fix; for the query, the byte offset) otherwise.
absl::StatusOr<std::shared_ptr<const index::IndexedRule>> PrepareNewRule(
    newswatch::v1::WatchRule& rule);

// Compiles a stored rule for matching; the parser's error when it no longer
// parses.
absl::StatusOr<std::shared_ptr<const index::IndexedRule>> CompileRule(
    const newswatch::v1::WatchRule& rule);

}  // namespace nw::catalog

#endif  // NW_SERVER_CATALOG_RULE_BOOK_H_
