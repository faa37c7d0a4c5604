#include "server/index/rule_registry.h"

#include <algorithm>

namespace nw::index {

std::shared_ptr<const RuleSnapshot> RuleRegistry::Current() const {
  absl::MutexLock lock(&mu_);
  return current_;
}

void RuleRegistry::Reset(std::vector<std::shared_ptr<const IndexedRule>> rules) {
  absl::MutexLock write_lock(&write_mu_);
  auto next = std::make_shared<const RuleSnapshot>(std::move(rules));
  absl::MutexLock lock(&mu_);
  current_ = std::move(next);
}

void RuleRegistry::Upsert(std::shared_ptr<const IndexedRule> rule) {
  absl::MutexLock write_lock(&write_mu_);
  std::vector<std::shared_ptr<const IndexedRule>> rules = Current()->rules();
  std::erase_if(rules, [&](const auto& r) { return r->id == rule->id; });
  rules.push_back(std::move(rule));
  auto next = std::make_shared<const RuleSnapshot>(std::move(rules));
  absl::MutexLock lock(&mu_);
  current_ = std::move(next);
}

bool RuleRegistry::Remove(absl::string_view id) {
  absl::MutexLock write_lock(&write_mu_);
  std::vector<std::shared_ptr<const IndexedRule>> rules = Current()->rules();
  size_t removed = std::erase_if(rules, [&](const auto& r) { return r->id == id; });
  if (removed == 0) return false;
  auto next = std::make_shared<const RuleSnapshot>(std::move(rules));
  absl::MutexLock lock(&mu_);
  current_ = std::move(next);
  return true;
}

}  // namespace nw::index
