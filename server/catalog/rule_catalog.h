// File: server/catalog/rule_catalog.h
//
// The watch rules of every subscriber: validated, stored in RocksDB and
// published to the RuleRegistry that matching reads. A call that changes a
// rule returns after both, so the next article submitted sees the change.
//
// Thread safety: all methods may be called concurrently; changes are
// serialized by mu_.
#ifndef NW_SERVER_CATALOG_RULE_CATALOG_H_
#define NW_SERVER_CATALOG_RULE_CATALOG_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "newswatch/v1/rule.pb.h"
#include "server/catalog/rule_book.h"
#include "server/index/rule_registry.h"
#include "server/ingest/ingest_pipeline.h"
#include "storage/rule_store.h"

namespace nw::catalog {

// OK, or InvalidArgument when `subscriber` is empty, over 128 bytes or not
// in the id alphabet (base::CheckId). Subscriber names key alert logs and
// cursors.
absl::Status ValidateSubscriber(absl::string_view subscriber);

struct CatalogLimits {
  // Rules one subscriber may have; CreateRule past it is RESOURCE_EXHAUSTED.
  // Default: 10,000.
  size_t max_rules_per_subscriber = 10000;
};

class RuleCatalog : public RuleBook {
 public:
  // Loads and compiles every stored rule into `registry`. A stored rule that
  // no longer parses fails start-up with DataLoss naming it.
  // `pipeline` publishes rule changes and runs backfills; it must outlive
  // the catalog.
  static absl::StatusOr<std::unique_ptr<RuleCatalog>> Open(
      storage::Db& db, index::RuleRegistry& registry,
      ingest::IngestPipeline& pipeline, CatalogLimits limits = {});

  // Stores a new rule (subscriber and query required; id optional, assigned
  // as "r-" and 16 random characters when empty: unguessable) and returns it as
  // stored, with created_at and its canonical form. Errors: InvalidArgument for
  // a bad rule (the message gives the byte offset, spec §4; RuleErrorOffset()
  // reads it) or subscriber; AlreadyExists when the id is taken;
  // ResourceExhausted when the subscriber has max_rules_per_subscriber rules.
  // On error nothing is stored. With `backfill_since`, the rule is also matched
  // against the articles ingested since then (exactly those matched without
  // it), and their alerts appended to the log; backfilled_alerts says how many.
  absl::StatusOr<newswatch::v1::WatchRule> Create(
      newswatch::v1::WatchRule rule,
      std::optional<absl::Time> backfill_since = std::nullopt) override;

  // RuleBook::CreateMany: the new rules are stored in one synced write and
  // published as one index delta; limits as Create (a rule past its
  // subscriber's limit is kInvalid, ResourceExhausted).
  absl::StatusOr<std::vector<ImportOutcome>> CreateMany(
      std::vector<newswatch::v1::WatchRule> rules) override;

  // NotFound when no rule has this id.
  absl::StatusOr<newswatch::v1::WatchRule> Get(
      absl::string_view id) const override;

  // The rules of `subscriber` (every rule when empty), by subscriber then id.
  absl::StatusOr<std::vector<newswatch::v1::WatchRule>> List(
      absl::string_view subscriber) const override;

  // NotFound when no rule has this id.
  absl::Status Delete(absl::string_view id) override;

  // Replaces the query and/or label (nullopt: unchanged) of rule `id`,
  // keeping its id, subscriber and created_at, and returns it as stored. The
  // next article matched sees the new query, as after Create. Errors:
  // NotFound; InvalidArgument for a bad query or label (nothing changed).
  absl::StatusOr<newswatch::v1::WatchRule> Update(
      absl::string_view id, std::optional<std::string> query,
      std::optional<std::string> label) override;

  // Number of rules live in matching.
  size_t size() const override;

 private:
  RuleCatalog(storage::Db& db, index::RuleRegistry& registry,
              ingest::IngestPipeline& pipeline, CatalogLimits limits,
              uint64_t last_rule_number,
              absl::flat_hash_map<std::string, size_t> rules_per_subscriber,
              absl::flat_hash_map<uint64_t, uint32_t> contents)
      : store_(db),
        registry_(registry),
        pipeline_(pipeline),
        limits_(limits),
        last_rule_number_(last_rule_number),
        rules_per_subscriber_(std::move(rules_per_subscriber)),
        contents_(std::move(contents)) {}

  // One stored rule with `rule`'s content fewer (it was deleted or changed).
  void ForgetContent(const newswatch::v1::WatchRule& rule)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  storage::RuleStore store_;
  index::RuleRegistry& registry_;
  ingest::IngestPipeline& pipeline_;
  const CatalogLimits limits_;
  absl::Mutex mu_;
  uint64_t last_rule_number_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, size_t> rules_per_subscriber_
      ABSL_GUARDED_BY(mu_);
  // How many stored rules have each ContentKey (subscriber + canonical
  // query): an import skips a rule the subscriber already has. 64-bit keys,
  // so at 1M rules a false "already present" has odds of about 1 in 3e7.
  absl::flat_hash_map<uint64_t, uint32_t> contents_ ABSL_GUARDED_BY(mu_);
};

}  // namespace nw::catalog

#endif  // NW_SERVER_CATALOG_RULE_CATALOG_H_
