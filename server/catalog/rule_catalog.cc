#include "server/catalog/rule_catalog.h"

#include <sys/random.h>

#include <algorithm>
#include <string>
#include <thread>
#include <tuple>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "server/base/ids.h"
#include "server/base/status_macros.h"
#include "server/catalog/rule_book.h"
#include "server/rules/compiled_rule.h"
#include "server/rules/parser.h"
#include "server/rules/rule_error.h"

namespace nw::catalog {
namespace {

constexpr size_t kMaxNameBytes = 128;
constexpr size_t kMaxLabelBytes = 256;

// A generated rule id: "r-" and 16 random characters from [a-z2-7] (80 bits
// from the kernel's CSPRNG), so ids cannot be guessed or squatted.
std::string RandomRuleId() {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  unsigned char bytes[16];
  size_t got = 0;
  while (got < sizeof(bytes)) {
    const ssize_t n = getrandom(bytes + got, sizeof(bytes) - got, 0);
    if (n > 0) got += static_cast<size_t>(n);
  }
  std::string id = "r-";
  for (unsigned char b : bytes) id += kAlphabet[b % 32];
  return id;
}

// A rule's content for "already present": its subscriber and canonical query.
uint64_t ContentKey(const newswatch::v1::WatchRule& rule) {
  return absl::Hash<std::pair<absl::string_view, absl::string_view>>{}(
      {rule.subscriber(), rule.canonical()});
}

}  // namespace

absl::StatusOr<std::shared_ptr<const index::IndexedRule>> CompileRule(
    const newswatch::v1::WatchRule& rule) {
  // Only the compact form: the stored rule has its text and canonical form.
  NW_ASSIGN_OR_RETURN(rules::CompactRule compact,
                      rules::ParseRuleCompact(rule.query()));
  return std::make_shared<const index::IndexedRule>(index::IndexedRule{
      rule.id(), rule.subscriber(), std::move(compact), rule.label()});
}

absl::StatusOr<std::shared_ptr<const index::IndexedRule>> PrepareNewRule(
    newswatch::v1::WatchRule& rule) {
  NW_RETURN_IF_ERROR(ValidateSubscriber(rule.subscriber()));
  if (!rule.id().empty()) {
    NW_RETURN_IF_ERROR(base::CheckId("rule id", rule.id(), kMaxNameBytes));
  }
  if (rule.label().size() > kMaxLabelBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("label is over the limit of ", kMaxLabelBytes, " bytes"));
  }
  NW_ASSIGN_OR_RETURN(std::shared_ptr<const rules::CompiledRule> parsed,
                      rules::ParseRule(rule.query()));
  rule.set_canonical(parsed->Canonical());
  auto compiled = std::make_shared<const index::IndexedRule>(index::IndexedRule{
      rule.id(), rule.subscriber(), parsed->compact(), rule.label()});
  *rule.mutable_created_at() =
      google::protobuf::util::TimeUtil::GetCurrentTime();
  return compiled;
}

namespace {

// Completes the backfills a crash interrupted. A job whose up_to was not
// stored yet (the crash came before the rule went live) covers every article
// stored before this start: from now on the rule matches live.
absl::Status FinishBackfills(
    storage::Db& db, ingest::IngestPipeline& pipeline,
    const std::vector<std::shared_ptr<const index::IndexedRule>>& rules) {
  NW_ASSIGN_OR_RETURN(std::vector<storage::BackfillJob> jobs,
                      storage::LoadBackfillJobs(db));
  for (storage::BackfillJob& job : jobs) {
    auto rule = std::find_if(rules.begin(), rules.end(), [&](const auto& r) {
      return r->id == job.rule_id;
    });
    if (rule == rules.end()) continue;  // deleted with its rule
    if (job.up_to == 0) job.up_to = pipeline.PublishRuleChange([] {});
    NW_RETURN_IF_ERROR(pipeline.Backfill(*rule, job).status());
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<ImportOutcome>> RuleBook::CreateMany(
    std::vector<newswatch::v1::WatchRule> rules) {
  std::vector<ImportOutcome> outcomes;
  outcomes.reserve(rules.size());
  for (newswatch::v1::WatchRule& rule : rules) {
    ImportOutcome& outcome = outcomes.emplace_back();
    outcome.id = rule.id();
    absl::StatusOr<newswatch::v1::WatchRule> created = Create(std::move(rule));
    if (created.ok()) {
      outcome.kind = ImportOutcome::Kind::kCreated;
      outcome.id = created->id();
    } else if (absl::IsAlreadyExists(created.status())) {
      outcome.kind = ImportOutcome::Kind::kAlreadyPresent;
    } else if (absl::IsInvalidArgument(created.status()) ||
               absl::IsResourceExhausted(created.status())) {
      outcome.error = created.status();
    } else {
      return created.status();  // the book itself failed: stop
    }
  }
  return outcomes;
}

absl::Status ValidateSubscriber(absl::string_view subscriber) {
  return base::CheckId("subscriber", subscriber, kMaxNameBytes);
}

absl::StatusOr<std::unique_ptr<RuleCatalog>> RuleCatalog::Open(
    storage::Db& db, index::RuleRegistry& registry,
    ingest::IngestPipeline& pipeline, CatalogLimits limits) {
  storage::RuleStore store(db);
  absl::flat_hash_map<std::string, size_t> rules_per_subscriber;
  absl::flat_hash_map<uint64_t, uint32_t> contents;
  std::vector<std::shared_ptr<const index::IndexedRule>> compiled;
  // A chunk of stored rules at a time (not all of them held at once), each
  // compiled on every core (fast start with many rules, issue 16).
  NW_RETURN_IF_ERROR(store.ForEachChunk(
      65536,
      [&](std::vector<newswatch::v1::WatchRule>& stored) -> absl::Status {
        for (const newswatch::v1::WatchRule& rule : stored) {
          ++rules_per_subscriber[rule.subscriber()];
          ++contents[ContentKey(rule)];
        }
        const size_t base = compiled.size(), n = stored.size();
        compiled.resize(base + n);
        std::vector<absl::Status> errors(n);
        const size_t threads =
            std::clamp<size_t>(std::thread::hardware_concurrency(), 1,
                               std::max<size_t>(n / 1024, 1));
        auto compile = [&](size_t k) {
          for (size_t i = n * k / threads; i < n * (k + 1) / threads; ++i) {
            absl::StatusOr<std::shared_ptr<const index::IndexedRule>> c =
                CompileRule(stored[i]);
            if (c.ok()) {
              compiled[base + i] = *std::move(c);
            } else {
              errors[i] = c.status();
            }
          }
        };
        // The first slice on this thread (its malloc arena grows cheaply).
        std::vector<std::thread> pool;
        for (size_t k = 1; k < threads; ++k) pool.emplace_back(compile, k);
        compile(0);
        for (std::thread& t : pool) t.join();
        for (size_t i = 0; i < n; ++i) {
          if (!errors[i].ok()) {
            return absl::DataLossError(
                absl::StrCat("stored rule ", stored[i].id(),
                             " no longer parses: ", errors[i].message()));
          }
        }
        return absl::OkStatus();
      }));
  registry.Reset(compiled);
  NW_ASSIGN_OR_RETURN(uint64_t last, store.LastRuleNumber());
  NW_RETURN_IF_ERROR(FinishBackfills(db, pipeline, compiled));
  return std::unique_ptr<RuleCatalog>(
      new RuleCatalog(db, registry, pipeline, limits, last,
                      std::move(rules_per_subscriber), std::move(contents)));
}

absl::StatusOr<newswatch::v1::WatchRule> RuleCatalog::Create(
    newswatch::v1::WatchRule rule, std::optional<absl::Time> backfill_since) {
  NW_ASSIGN_OR_RETURN(std::shared_ptr<const index::IndexedRule> prepared,
                      PrepareNewRule(rule));

  absl::MutexLock lock(&mu_);
  size_t& count = rules_per_subscriber_[rule.subscriber()];
  if (count >= limits_.max_rules_per_subscriber) {
    return absl::ResourceExhaustedError(
        absl::StrCat("subscriber '", rule.subscriber(), "' has ", count,
                     " rules, the limit: delete one first"));
  }
  // Generated ids are no longer numbered; the stored counter stays as is.
  const uint64_t number = last_rule_number_;
  if (rule.id().empty()) {
    do {
      rule.set_id(RandomRuleId());
    } while (store_.Get(rule.id()).ok());
  } else if (store_.Get(rule.id()).ok()) {
    return absl::AlreadyExistsError(
        absl::StrCat("a rule with id '", rule.id(),
                     "' exists: delete it first or pick another id"));
  }
  // The backfill job goes in with the rule: a crash before it finishes
  // leaves the job, which the next start completes (Open).
  std::optional<storage::BackfillJob> job;
  if (backfill_since) {
    job = storage::BackfillJob{
        .rule_id = rule.id(),
        .since_unix_nanos = absl::ToUnixNanos(*backfill_since)};
  }
  NW_RETURN_IF_ERROR(store_.Put(rule, number, job ? &*job : nullptr));
  last_rule_number_ = number;
  ++count;
  ++contents_[ContentKey(rule)];
  // Compiled before the id was assigned: index it under the stored id.
  auto indexed = std::make_shared<const index::IndexedRule>(index::IndexedRule{
      rule.id(), rule.subscriber(), prepared->rule, rule.label()});
  // The split point: articles up to `matched_without` never saw the rule.
  const uint64_t matched_without =
      pipeline_.PublishRuleChange([&] { registry_.Upsert(indexed); });
  if (job) {
    job->up_to = matched_without;
    NW_ASSIGN_OR_RETURN(uint32_t backfilled, pipeline_.Backfill(indexed, *job));
    rule.set_backfilled_alerts(backfilled);
  }
  return rule;
}

absl::StatusOr<newswatch::v1::WatchRule> RuleCatalog::Get(
    absl::string_view id) const {
  return store_.Get(id);
}

absl::StatusOr<std::vector<newswatch::v1::WatchRule>> RuleCatalog::List(
    absl::string_view subscriber) const {
  NW_ASSIGN_OR_RETURN(std::vector<newswatch::v1::WatchRule> all,
                      store_.LoadAll());
  std::vector<newswatch::v1::WatchRule> rules;
  for (newswatch::v1::WatchRule& rule : all) {
    if (subscriber.empty() || rule.subscriber() == subscriber)
      rules.push_back(std::move(rule));
  }
  std::sort(rules.begin(), rules.end(), [](const auto& a, const auto& b) {
    return std::tie(a.subscriber(), a.id()) < std::tie(b.subscriber(), b.id());
  });
  return rules;
}

absl::Status RuleCatalog::Delete(absl::string_view id) {
  absl::MutexLock lock(&mu_);
  NW_ASSIGN_OR_RETURN(newswatch::v1::WatchRule rule, store_.Get(id));
  NW_RETURN_IF_ERROR(store_.Delete(id));
  --rules_per_subscriber_[rule.subscriber()];
  ForgetContent(rule);
  registry_.Remove(id);
  return absl::OkStatus();
}

absl::StatusOr<newswatch::v1::WatchRule> RuleCatalog::Update(
    absl::string_view id, std::optional<std::string> query,
    std::optional<std::string> label) {
  if (label && label->size() > kMaxLabelBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("label is over the limit of ", kMaxLabelBytes, " bytes"));
  }
  absl::MutexLock lock(&mu_);
  absl::StatusOr<newswatch::v1::WatchRule> rule = store_.Get(id);
  if (!rule.ok()) return rule.status();
  const newswatch::v1::WatchRule before = *rule;
  if (query) rule->set_query(*std::move(query));
  if (label) rule->set_label(*std::move(label));
  NW_ASSIGN_OR_RETURN(std::shared_ptr<const rules::CompiledRule> parsed,
                      rules::ParseRule(rule->query()));
  rule->set_canonical(parsed->Canonical());
  auto indexed = std::make_shared<const index::IndexedRule>(index::IndexedRule{
      rule->id(), rule->subscriber(), parsed->compact(), rule->label()});
  NW_RETURN_IF_ERROR(store_.Put(*rule, last_rule_number_));
  ForgetContent(before);
  ++contents_[ContentKey(*rule)];
  pipeline_.PublishRuleChange([&] { registry_.Upsert(indexed); });
  return rule;
}

void RuleCatalog::ForgetContent(const newswatch::v1::WatchRule& rule) {
  auto it = contents_.find(ContentKey(rule));
  if (it != contents_.end() && --it->second == 0) contents_.erase(it);
}

absl::StatusOr<std::vector<ImportOutcome>> RuleCatalog::CreateMany(
    std::vector<newswatch::v1::WatchRule> rules) {
  using Kind = ImportOutcome::Kind;
  std::vector<ImportOutcome> outcomes(rules.size());
  std::vector<std::shared_ptr<const index::IndexedRule>> prepared(rules.size());
  // Parsing and compiling need no lock.
  for (size_t i = 0; i < rules.size(); ++i) {
    absl::StatusOr<std::shared_ptr<const index::IndexedRule>> p =
        PrepareNewRule(rules[i]);
    if (p.ok()) {
      prepared[i] = *std::move(p);
    } else {
      outcomes[i].error = p.status();
    }
  }

  absl::MutexLock lock(&mu_);
  std::vector<newswatch::v1::WatchRule> to_store;
  std::vector<std::shared_ptr<const index::IndexedRule>> to_index;
  absl::flat_hash_map<std::string, size_t> added_per_subscriber;
  absl::flat_hash_set<uint64_t> added_contents;
  // Id -> content of each rule added by this call.
  absl::flat_hash_map<std::string, uint64_t> added_ids;
  for (size_t i = 0; i < rules.size(); ++i) {
    if (prepared[i] == nullptr) continue;
    newswatch::v1::WatchRule& rule = rules[i];
    ImportOutcome& outcome = outcomes[i];
    outcome.id = rule.id();
    const uint64_t content = ContentKey(rule);
    if (!rule.id().empty()) {
      // A taken id is fine when it names this very rule (a file imported
      // twice, or a line repeated); otherwise the caller must pick another.
      absl::StatusOr<newswatch::v1::WatchRule> stored = store_.Get(rule.id());
      const auto added = added_ids.find(rule.id());
      if (stored.ok() || added != added_ids.end()) {
        const bool same = stored.ok() ? ContentKey(*stored) == content
                                      : added->second == content;
        if (same) {
          outcome.kind = Kind::kAlreadyPresent;
        } else {
          outcome.error = absl::AlreadyExistsError(absl::StrCat(
              "a different rule has id '", rule.id(), "': pick another id"));
        }
        continue;
      }
    }
    // The subscriber has this rule (same canonical query) under another id:
    // counted, not copied, with or without a chosen id.
    if (contents_.contains(content) || added_contents.contains(content)) {
      outcome.kind = Kind::kAlreadyPresent;
      continue;
    }
    size_t& added = added_per_subscriber[rule.subscriber()];
    const auto count = rules_per_subscriber_.find(rule.subscriber());
    if ((count == rules_per_subscriber_.end() ? 0 : count->second) + added >=
        limits_.max_rules_per_subscriber) {
      outcome.error = absl::ResourceExhaustedError(
          absl::StrCat("subscriber '", rule.subscriber(), "' has ",
                       limits_.max_rules_per_subscriber,
                       " rules, the limit: delete some first"));
      continue;
    }
    if (rule.id().empty()) {
      do {
        rule.set_id(RandomRuleId());
      } while (store_.Get(rule.id()).ok() || added_ids.contains(rule.id()));
    }
    ++added;
    added_contents.insert(content);
    added_ids.emplace(rule.id(), content);
    outcome.kind = Kind::kCreated;
    outcome.id = rule.id();
    // Compiled before the id was assigned: index it under the stored id.
    to_index.push_back(
        std::make_shared<const index::IndexedRule>(index::IndexedRule{
            rule.id(), rule.subscriber(), prepared[i]->rule, rule.label()}));
    to_store.push_back(std::move(rule));
  }
  if (to_store.empty()) return outcomes;
  NW_RETURN_IF_ERROR(store_.PutMany(to_store));
  for (const auto& [subscriber, added] : added_per_subscriber)
    rules_per_subscriber_[subscriber] += added;
  for (uint64_t content : added_contents) ++contents_[content];
  pipeline_.PublishRuleChange(
      [&] { registry_.UpsertMany(std::move(to_index)); });
  return outcomes;
}

size_t RuleCatalog::size() const { return registry_.Current()->size(); }

}  // namespace nw::catalog
