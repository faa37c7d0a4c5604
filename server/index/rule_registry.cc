#include "server/index/rule_registry.h"

#include <algorithm>
#include <thread>
#include <utility>

namespace nw::index {

RuleRegistry::RuleRegistry(const RegistryOptions& options) : options_(options) {
  absl::MutexLock lock(&write_mu_);
  InstallBase(RuleSegment::Build({}));
  Publish();
}

RuleRegistry::~RuleRegistry() { WaitForMerge(); }

std::shared_ptr<const RuleSnapshot> RuleRegistry::Current() const {
  absl::MutexLock lock(&mu_);
  return current_;
}

void RuleRegistry::SetCostModel(std::shared_ptr<const CostModel> costs) {
  absl::MutexLock lock(&write_mu_);
  costs_ = std::move(costs);
}

void RuleRegistry::Reset(
    std::vector<std::shared_ptr<const IndexedRule>> rules) {
  std::shared_ptr<const CostModel> costs;
  {
    absl::MutexLock lock(&write_mu_);
    costs = costs_;
  }
  // Start-up: every rule at once, decomposed on every core.
  std::shared_ptr<const RuleSegment> base = RuleSegment::Build(
      std::move(rules), costs.get(),
      static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  absl::MutexLock lock(&write_mu_);
  ++generation_;  // a merge in flight started from older rules: drop its result
  merge_log_.clear();
  InstallBase(std::move(base));
  Publish();
}

void RuleRegistry::Upsert(std::shared_ptr<const IndexedRule> rule) {
  absl::MutexLock lock(&write_mu_);
  Change change(std::move(rule));
  Apply(change);
  if (merging_) merge_log_.push_back(std::move(change));
  Publish();
  MaybeMerge();
}

void RuleRegistry::UpsertMany(
    std::vector<std::shared_ptr<const IndexedRule>> rules) {
  absl::MutexLock lock(&write_mu_);
  for (std::shared_ptr<const IndexedRule>& rule : rules) {
    Change change(std::move(rule));
    Apply(change);
    if (merging_) merge_log_.push_back(std::move(change));
  }
  Publish();
  MaybeMerge();
}

bool RuleRegistry::Remove(absl::string_view id) {
  absl::MutexLock lock(&write_mu_);
  Change change(std::string{id});
  if (!Apply(change)) return false;
  if (merging_) merge_log_.push_back(std::move(change));
  Publish();
  MaybeMerge();
  return true;
}

bool RuleRegistry::Apply(const Change& change) {
  const bool upsert =
      std::holds_alternative<std::shared_ptr<const IndexedRule>>(change);
  const std::string& id =
      upsert ? std::get<0>(change)->id : std::get<1>(change);
  bool found = delta_.erase(id) > 0;
  if (std::optional<uint32_t> o = base_->Find(id)) {
    uint64_t& word = dead_[*o >> 6];
    const uint64_t bit = uint64_t{1} << (*o & 63);
    if ((word & bit) == 0) {
      word |= bit;
      ++dead_count_;
      found = true;
    }
  }
  if (upsert) delta_.emplace(id, std::get<0>(change));
  return found;
}

void RuleRegistry::Publish() {
  std::vector<std::shared_ptr<const IndexedRule>> delta_rules;
  delta_rules.reserve(delta_.size());
  for (const auto& [id, rule] : delta_) delta_rules.push_back(rule);
  auto next = std::make_shared<const RuleSnapshot>(
      base_,
      dead_count_ == 0 ? nullptr : std::make_shared<const Tombstones>(dead_),
      dead_count_, RuleSegment::Build(std::move(delta_rules), costs_.get()));
  absl::MutexLock lock(&mu_);
  current_ = std::move(next);
}

void RuleRegistry::InstallBase(std::shared_ptr<const RuleSegment> base) {
  base_ = std::move(base);
  dead_.assign((base_->size() + 63) / 64, 0);
  dead_count_ = 0;
  delta_.clear();
}

void RuleRegistry::MaybeMerge() {
  if (merging_ || delta_.size() < options_.max_delta) return;
  std::shared_ptr<const RuleSnapshot> from = Current();
  if (!options_.background_merge) {
    InstallBase(RuleSegment::Build(from->rules(), costs_.get()));
    ++merges_;
    Publish();
    return;
  }
  merging_ = true;
  merge_log_.clear();
  if (merge_thread_.joinable())
    merge_thread_.join();  // finished: merging_ was false
  merge_thread_ = std::thread(
      [this, from = std::move(from), generation = generation_, costs = costs_] {
        FinishMerge(RuleSegment::Build(from->rules(), costs.get()), generation);
      });
}

void RuleRegistry::FinishMerge(std::shared_ptr<const RuleSegment> base,
                               uint64_t generation) {
  absl::MutexLock lock(&write_mu_);
  merging_ = false;
  if (generation != generation_)
    return;  // Reset() replaced everything meanwhile
  InstallBase(std::move(base));
  for (const Change& change : merge_log_) Apply(change);
  merge_log_.clear();
  ++merges_;
  Publish();
}

void RuleRegistry::WaitForMerge() {
  std::thread t;
  {
    absl::MutexLock lock(&write_mu_);
    t = std::move(merge_thread_);
  }
  if (t.joinable()) t.join();
}

uint64_t RuleRegistry::merges() const {
  absl::MutexLock lock(&write_mu_);
  return merges_;
}

}  // namespace nw::index
