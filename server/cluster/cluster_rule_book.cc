#include "server/cluster/cluster_rule_book.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "server/base/log.h"
#include "server/cluster/naming.h"

namespace nw::cluster {
namespace {

constexpr char kRuleNumberKey[] = "rule_number";

}  // namespace

std::string EncodeBackfillJob(const BackfillJob& job) {
  return absl::StrCat("since=", job.since_unix_nanos, " after=", job.after,
                      " created=", job.created, " done=", job.done ? 1 : 0);
}

std::optional<BackfillJob> DecodeBackfillJob(absl::string_view value) {
  BackfillJob job;
  int fields = 0;
  for (absl::string_view part : absl::StrSplit(value, ' ')) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(part, absl::MaxSplits('=', 1));
    int done = 0;
    bool ok = false;
    if (kv.first == "since") {
      ok = absl::SimpleAtoi(kv.second, &job.since_unix_nanos);
    } else if (kv.first == "after") {
      ok = absl::SimpleAtoi(kv.second, &job.after);
    } else if (kv.first == "created") {
      ok = absl::SimpleAtoi(kv.second, &job.created);
    } else if (kv.first == "done") {
      ok = absl::SimpleAtoi(kv.second, &done);
      job.done = done != 0;
    }
    if (!ok) return std::nullopt;
    ++fields;
  }
  if (fields != 4) return std::nullopt;
  return job;
}

absl::StatusOr<std::unique_ptr<ClusterRuleBook>> ClusterRuleBook::Open(
    NatsClient& nats, int partitions, size_t max_rules_per_subscriber) {
  absl::StatusOr<kvStore*> rules = nats.Bucket({.name = kRulesBucket});
  if (!rules.ok()) return rules.status();
  absl::StatusOr<kvStore*> meta = nats.Bucket({.name = kMetaBucket});
  if (!meta.ok()) return meta.status();
  absl::StatusOr<kvStore*> jobs = nats.Bucket({.name = kBackfillBucket});
  if (!jobs.ok()) return jobs.status();
  auto book = std::unique_ptr<ClusterRuleBook>(new ClusterRuleBook(
      nats, *rules, *meta, *jobs, partitions, max_rules_per_subscriber));
  natsStatus s = kvStore_WatchAll(&book->job_watcher_, *jobs, nullptr);
  if (s != NATS_OK)
    return FromNats(s, static_cast<jsErrCode>(0), "watching the backfills");
  book->job_watch_thread_ = std::thread(
      [b = book.get(), w = book->job_watcher_] { b->JobWatchLoop(w); });
  s = kvStore_WatchAll(&book->watcher_, *rules, nullptr);
  if (s != NATS_OK)
    return FromNats(s, static_cast<jsErrCode>(0), "watching the rules");
  book->watch_thread_ =
      std::thread([b = book.get(), w = book->watcher_] { b->WatchLoop(w); });
  absl::MutexLock lock(&book->mu_);
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (!book->loaded_ && absl::Now() < deadline)
    book->mu_.AwaitWithDeadline(absl::Condition(&book->loaded_), deadline);
  if (!book->loaded_)
    return absl::UnavailableError("loading the rules from NATS timed out");
  return book;
}

ClusterRuleBook::~ClusterRuleBook() {
  stopping_ = true;
  if (watcher_ != nullptr) kvWatcher_Stop(watcher_);
  if (watch_thread_.joinable()) watch_thread_.join();
  if (watcher_ != nullptr) kvWatcher_Destroy(watcher_);
  if (job_watcher_ != nullptr) kvWatcher_Stop(job_watcher_);
  if (job_watch_thread_.joinable()) job_watch_thread_.join();
  if (job_watcher_ != nullptr) kvWatcher_Destroy(job_watcher_);
}

void ClusterRuleBook::JobWatchLoop(kvWatcher* watcher) {
  while (!stopping_) {
    kvEntry* entry = nullptr;
    natsStatus s = kvWatcher_Next(&entry, watcher, 500);
    if (s == NATS_TIMEOUT) continue;
    if (s != NATS_OK) {
      if (stopping_) return;
      absl::SleepFor(absl::Milliseconds(100));
      continue;
    }
    if (entry == nullptr) continue;  // the initial values are all in
    const std::string id = Unhex(kvEntry_Key(entry));
    std::optional<BackfillJob> job;
    if (kvEntry_Operation(entry) == kvOp_Put)
      job = DecodeBackfillJob(kvEntry_ValueString(entry));
    kvEntry_Destroy(entry);
    absl::MutexLock lock(&mu_);
    if (job) {
      jobs_[id] = *job;
    } else {
      jobs_.erase(id);
    }
  }
}

std::vector<BackfillTask> ClusterRuleBook::PendingBackfills(
    int partition) const {
  std::vector<BackfillTask> tasks;
  absl::MutexLock lock(&mu_);
  if (jobs_.empty()) return tasks;
  for (const auto& [id, job] : jobs_) {
    if (job.done) continue;
    auto rule = by_id_.find(id);
    if (rule == by_id_.end() || rule->second.partition != partition) continue;
    tasks.push_back(
        BackfillTask{.rule_id = id, .rule = rule->second.compiled, .job = job});
  }
  return tasks;
}

void ClusterRuleBook::SaveBackfill(const std::string& rule_id,
                                   const BackfillJob& job) {
  uint64_t revision = 0;
  (void)kvStore_PutString(&revision, jobs_bucket_, Hex(rule_id).c_str(),
                          EncodeBackfillJob(job).c_str());
}

std::optional<uint64_t> ClusterRuleBook::AwaitBackfill(
    const std::string& rule_id) {
  const absl::Time deadline = absl::Now() + kBackfillWait;
  std::optional<uint64_t> created;
  {
    absl::MutexLock lock(&mu_);
    auto done = [&] {
      auto it = jobs_.find(rule_id);
      return it != jobs_.end() && it->second.done;
    };
    mu_.AwaitWithDeadline(absl::Condition(&done), deadline);
    if (done()) created = jobs_.at(rule_id).created;
  }
  if (created) (void)kvStore_Delete(jobs_bucket_, Hex(rule_id).c_str());
  return created;
}

void ClusterRuleBook::WatchLoop(kvWatcher* watcher) {
  while (!stopping_) {
    kvEntry* entry = nullptr;
    natsStatus s = kvWatcher_Next(&entry, watcher, 500);
    if (s == NATS_TIMEOUT) continue;
    if (s != NATS_OK) {
      if (stopping_) return;
      absl::SleepFor(absl::Milliseconds(100));
      continue;
    }
    if (entry == nullptr) {  // the initial values are all in
      absl::MutexLock lock(&mu_);
      loaded_ = true;
      continue;
    }
    Apply(entry);
    kvEntry_Destroy(entry);
  }
}

void ClusterRuleBook::Apply(kvEntry* entry) {
  const std::string id = Unhex(kvEntry_Key(entry));
  absl::MutexLock lock(&mu_);
  auto old = by_id_.find(id);
  if (old != by_id_.end()) {
    if (auto a = attached_.find(old->second.partition); a != attached_.end())
      a->second->Remove(id);
    by_id_.erase(old);
  }
  if (kvEntry_Operation(entry) != kvOp_Put) return;
  Entry e;
  if (!e.rule.ParseFromArray(kvEntry_Value(entry), kvEntry_ValueLen(entry))) {
    base::LogError("cluster", "stored rule does not parse; skipped",
                   {{"rule", id}});
    return;
  }
  absl::StatusOr<std::shared_ptr<const index::IndexedRule>> compiled =
      catalog::CompileRule(e.rule);
  if (!compiled.ok()) {
    base::LogError("cluster", "stored rule no longer parses; skipped",
                   {{"rule", id}, {"error", compiled.status().ToString()}});
    return;
  }
  e.compiled = *std::move(compiled);
  e.partition = PartitionOf(e.rule.subscriber(), partitions_);
  if (auto a = attached_.find(e.partition); a != attached_.end())
    a->second->Upsert(e.compiled);
  by_id_[id] = std::move(e);
}

void ClusterRuleBook::AwaitView(absl::FunctionRef<bool()> seen) const {
  const absl::Time deadline = absl::Now() + absl::Seconds(2);
  absl::MutexLock lock(&mu_);
  while (!seen() && absl::Now() < deadline) {
    mu_.Unlock();
    absl::SleepFor(absl::Milliseconds(2));
    mu_.Lock();
  }
}

absl::StatusOr<uint64_t> ClusterRuleBook::NextRuleNumber() {
  for (int attempt = 0; attempt < 100; ++attempt) {
    kvEntry* entry = nullptr;
    uint64_t number = 0, revision = 0;
    natsStatus s = kvStore_Get(&entry, meta_, kRuleNumberKey);
    if (s == NATS_OK) {
      (void)absl::SimpleAtoi(kvEntry_ValueString(entry), &number);
      revision = kvEntry_Revision(entry);
      kvEntry_Destroy(entry);
    } else if (s != NATS_NOT_FOUND) {
      return FromNats(s, static_cast<jsErrCode>(0), "numbering a rule");
    }
    const std::string next = absl::StrCat(number + 1);
    uint64_t new_revision = 0;
    s = revision == 0
            ? kvStore_CreateString(&new_revision, meta_, kRuleNumberKey,
                                   next.c_str())
            : kvStore_UpdateString(&new_revision, meta_, kRuleNumberKey,
                                   next.c_str(), revision);
    if (s == NATS_OK) return number + 1;
    if (!nats_.connected())
      return FromNats(s, static_cast<jsErrCode>(0), "numbering a rule");
  }
  return absl::UnavailableError("numbering a rule: too much contention; retry");
}

absl::StatusOr<newswatch::v1::WatchRule> ClusterRuleBook::Create(
    newswatch::v1::WatchRule rule, std::optional<absl::Time> backfill_since) {
  absl::StatusOr<std::shared_ptr<const index::IndexedRule>> prepared =
      catalog::PrepareNewRule(rule);
  if (!prepared.ok()) return prepared.status();
  {
    absl::MutexLock lock(&mu_);
    size_t count = 0;
    for (const auto& [id, e] : by_id_)
      count += e.rule.subscriber() == rule.subscriber();
    if (count >= max_rules_per_subscriber_) {
      return absl::ResourceExhaustedError(
          absl::StrCat("subscriber '", rule.subscriber(), "' has ", count,
                       " rules, the limit: delete one first"));
    }
  }
  const bool generated = rule.id().empty();
  for (int attempt = 0; attempt < 1000; ++attempt) {
    if (generated) {
      absl::StatusOr<uint64_t> number = NextRuleNumber();
      if (!number.ok()) return number.status();
      rule.set_id(absl::StrCat("r-", *number));
    }
    if (backfill_since) {
      if (Get(rule.id()).ok()) {
        if (generated) continue;  // taken number: the next one
        return absl::AlreadyExistsError(
            absl::StrCat("a rule with id '", rule.id(),
                         "' exists: delete it first or pick another id"));
      }
      // Before the rule: whoever sees the rule can see its job.
      const BackfillJob job{.since_unix_nanos =
                                absl::ToUnixNanos(*backfill_since)};
      uint64_t job_revision = 0;
      natsStatus js =
          kvStore_PutString(&job_revision, jobs_bucket_, Hex(rule.id()).c_str(),
                            EncodeBackfillJob(job).c_str());
      if (js != NATS_OK)
        return FromNats(js, static_cast<jsErrCode>(0), "storing the backfill");
    }
    const std::string data = rule.SerializeAsString();
    uint64_t revision = 0;
    natsStatus s = kvStore_Create(&revision, rules_, Hex(rule.id()).c_str(),
                                  data.data(), static_cast<int>(data.size()));
    if (s == NATS_OK) {
      const std::string id = rule.id();
      AwaitView([&] { return by_id_.contains(id); });
      if (backfill_since) {
        std::optional<uint64_t> created = AwaitBackfill(id);
        if (created) {
          rule.set_backfilled_alerts(static_cast<uint32_t>(*created));
        } else {
          base::LogWarning("cluster",
                           "backfill still running; CreateRule answers now",
                           {{"rule", id}});
        }
      }
      return rule;
    }
    if (backfill_since) {
      // Not stored (taken id or NATS): no job without its rule.
      (void)kvStore_Delete(jobs_bucket_, Hex(rule.id()).c_str());
    }
    absl::StatusOr<newswatch::v1::WatchRule> existing = Get(rule.id());
    if (!existing.ok()) {
      if (absl::IsNotFound(existing.status()))
        return FromNats(s, static_cast<jsErrCode>(0), "storing the rule");
      return existing.status();
    }
    if (!generated) {
      return absl::AlreadyExistsError(
          absl::StrCat("a rule with id '", rule.id(),
                       "' exists: delete it first or pick another id"));
    }
  }
  return absl::UnavailableError("no free rule id; retry");
}

absl::StatusOr<newswatch::v1::WatchRule> ClusterRuleBook::Get(
    absl::string_view id) const {
  kvEntry* entry = nullptr;
  natsStatus s = kvStore_Get(&entry, rules_, Hex(id).c_str());
  if (s == NATS_NOT_FOUND)
    return absl::NotFoundError(absl::StrCat("no rule with id '", id, "'"));
  if (s != NATS_OK)
    return FromNats(s, static_cast<jsErrCode>(0), "reading the rule");
  newswatch::v1::WatchRule rule;
  const bool parsed =
      rule.ParseFromArray(kvEntry_Value(entry), kvEntry_ValueLen(entry));
  kvEntry_Destroy(entry);
  if (!parsed)
    return absl::DataLossError(absl::StrCat("rule ", id, " does not parse"));
  return rule;
}

absl::StatusOr<std::vector<newswatch::v1::WatchRule>> ClusterRuleBook::List(
    absl::string_view subscriber) const {
  std::vector<newswatch::v1::WatchRule> rules;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [id, e] : by_id_) {
      if (subscriber.empty() || e.rule.subscriber() == subscriber)
        rules.push_back(e.rule);
    }
  }
  std::sort(rules.begin(), rules.end(), [](const auto& a, const auto& b) {
    return std::tie(a.subscriber(), a.id()) < std::tie(b.subscriber(), b.id());
  });
  return rules;
}

absl::Status ClusterRuleBook::Delete(absl::string_view id) {
  absl::StatusOr<newswatch::v1::WatchRule> rule = Get(id);
  if (!rule.ok()) return rule.status();
  natsStatus s = kvStore_Delete(rules_, Hex(id).c_str());
  if (s != NATS_OK)
    return FromNats(s, static_cast<jsErrCode>(0), "deleting the rule");
  (void)kvStore_Delete(jobs_bucket_, Hex(id).c_str());  // its backfill
  const std::string key(id);
  AwaitView([&] { return !by_id_.contains(key); });
  return absl::OkStatus();
}

size_t ClusterRuleBook::size() const {
  absl::MutexLock lock(&mu_);
  return by_id_.size();
}

void ClusterRuleBook::Attach(int partition, index::RuleRegistry* registry) {
  absl::MutexLock lock(&mu_);
  std::vector<std::shared_ptr<const index::IndexedRule>> rules;
  for (const auto& [id, e] : by_id_) {
    if (e.partition == partition) rules.push_back(e.compiled);
  }
  registry->Reset(std::move(rules));
  attached_[partition] = registry;
}

void ClusterRuleBook::Detach(int partition) {
  absl::MutexLock lock(&mu_);
  attached_.erase(partition);
}

std::vector<size_t> ClusterRuleBook::RulesPerPartition() const {
  std::vector<size_t> counts(partitions_, 0);
  absl::MutexLock lock(&mu_);
  for (const auto& [id, e] : by_id_) ++counts[e.partition];
  return counts;
}

}  // namespace nw::cluster
