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
                                             size_t batch_size) {
  RuleSetup setup;
  size_t next = 0;
  absl::StatusOr<v1::ImportRulesResponse> summary =
      client.ImportRules([&](v1::ImportRulesRequest* batch) {
        for (; next < rules.size() &&
               batch->rules_size() < static_cast<int>(batch_size);
             ++next) {
          v1::WatchRule* rule = batch->add_rules();
          rule->set_id(rules[next].id);
          rule->set_subscriber(rules[next].subscriber);
          rule->set_query(rules[next].rule);
        }
        return batch->rules_size() > 0;
      });
  if (!summary.ok()) return summary.status();
  setup.created = summary->created();
  setup.existing = summary->already_present();
  setup.failed = summary->invalid();
  if (summary->errors_size() > 0) {
    const v1::ImportRuleError& e = summary->errors(0);
    setup.first_error = absl::StrCat(e.id(), ": ", e.code(), ": ", e.message());
  }
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
