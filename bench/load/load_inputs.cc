#include "bench/load/load_inputs.h"

#include <atomic>
#include <fstream>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "client/lib/article_json.h"
#include "nlohmann/json.hpp"

namespace nw::bench {

namespace v1 = ::newswatch::v1;

absl::StatusOr<std::vector<v1::Article>> LoadArticleFile(
    const std::string& path, size_t limit) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::vector<v1::Article> articles;
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    absl::StatusOr<v1::Article> article =
        client::ParseArticleJson(line, absl::StrCat(path, ":", number));
    if (!article.ok()) return article.status();
    articles.push_back(*std::move(article));
    if (limit != 0 && articles.size() == limit) break;
  }
  return articles;
}

absl::StatusOr<std::vector<RuleLine>> LoadRuleFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::vector<RuleLine> rules;
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object() || !j.value("id", nlohmann::json()).is_string() ||
        !j.value("subscriber", nlohmann::json()).is_string() ||
        !j.value("rule", nlohmann::json()).is_string()) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ":", number, ": want {\"id\", \"subscriber\", \"rule\"}"));
    }
    rules.push_back({j["id"], j["subscriber"], j["rule"]});
  }
  return rules;
}

std::vector<std::string> FirstSubscribers(const std::vector<RuleLine>& rules,
                                          size_t n) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const RuleLine& r : rules) {
    if (out.size() == n) break;
    if (seen.insert(r.subscriber).second) out.push_back(r.subscriber);
  }
  return out;
}

absl::StatusOr<RuleSetup> CreateMissingRules(client::NewswatchClient& client,
                                             const std::vector<RuleLine>& rules,
                                             int threads) {
  absl::StatusOr<std::vector<v1::WatchRule>> existing = client.ListRules("");
  if (!existing.ok()) return existing.status();
  std::set<std::string> have;
  for (const v1::WatchRule& r : *existing) have.insert(r.id());
  std::vector<const RuleLine*> todo;
  for (const RuleLine& r : rules) {
    if (have.count(r.id) == 0) todo.push_back(&r);
  }
  RuleSetup setup;
  setup.existing = rules.size() - todo.size();
  absl::Mutex mu;
  std::atomic<size_t> next{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < std::max(1, threads); ++t) {
    workers.emplace_back([&] {
      for (size_t i = next++; i < todo.size(); i = next++) {
        v1::WatchRule rule;
        rule.set_id(todo[i]->id);
        rule.set_subscriber(todo[i]->subscriber);
        rule.set_query(todo[i]->rule);
        absl::StatusOr<v1::WatchRule> created = client.CreateRule(rule);
        absl::MutexLock lock(&mu);
        if (created.ok()) {
          ++setup.created;
        } else if (absl::IsAlreadyExists(created.status())) {
          ++setup.existing;
        } else {
          if (setup.failed++ == 0) {
            setup.first_error =
                absl::StrCat(todo[i]->id, ": ", created.status().ToString());
          }
        }
      }
    });
  }
  for (std::thread& w : workers) w.join();
  return setup;
}

absl::StatusOr<int64_t> ReadProcStatusKb(int pid, const std::string& field) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  if (!in) return absl::NotFoundError(absl::StrCat("no process ", pid));
  std::string line;
  while (std::getline(in, line)) {
    absl::string_view rest(line);
    if (!absl::ConsumePrefix(&rest, field) ||
        !absl::ConsumePrefix(&rest, ":")) {
      continue;
    }
    rest = absl::StripAsciiWhitespace(rest);
    absl::ConsumeSuffix(&rest, "kB");
    int64_t kb = 0;
    if (absl::SimpleAtoi(absl::StripAsciiWhitespace(rest), &kb)) return kb;
  }
  return absl::NotFoundError(
      absl::StrCat(field, " not in /proc/", pid, "/status"));
}

}  // namespace nw::bench
