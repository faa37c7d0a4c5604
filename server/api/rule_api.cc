#include "server/api/rule_api.h"

#include <algorithm>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "server/api/rule_lint.h"
#include "server/api/subscriber.h"
#include "server/auth/policy.h"
#include "server/base/duration.h"
#include "server/base/status_macros.h"
#include "server/index/rule_snapshot.h"
#include "server/ingest/alert_builder.h"
#include "server/rules/compiled_rule.h"
#include "server/rules/parser.h"
#include "server/rules/rule_error.h"

namespace nw::api {
namespace {

using google::protobuf::util::TimeUtil;
using newswatch::v1::WatchRule;

// What an analyst gets for another subscriber's rule: worded exactly as
// storage's RuleStore::Get words a missing one.
absl::Status HiddenRule(absl::string_view id) {
  return absl::NotFoundError(absl::StrCat("no rule with id '", id, "'"));
}

// Rule errors already end in "(at byte N)" (rules::RuleError); the offset
// payload stays for transports that send it apart.
absl::Status DescribeRuleError(const absl::Status& status) {
  if (!rules::RuleErrorOffset(status)) return status;
  absl::Status described = absl::InvalidArgumentError(
      absl::StrCat("invalid rule: ", status.message()));
  status.ForEachPayload([&](absl::string_view url, const absl::Cord& payload) {
    described.SetPayload(url, payload);
  });
  return described;
}

absl::Time ToTime(const google::protobuf::Timestamp& t) {
  return absl::FromUnixNanos(TimeUtil::TimestampToNanoseconds(t));
}

// An index of the one rule, to match with or to ask about its anchor.
index::RuleSnapshot SnapshotOf(
    std::string subscriber, std::shared_ptr<const rules::CompiledRule> rule) {
  std::vector<std::shared_ptr<const index::IndexedRule>> one = {
      std::make_shared<const index::IndexedRule>(index::IndexedRule{
          "preview", std::move(subscriber), rule->compact(), ""})};
  return index::RuleSnapshot(std::move(one));
}

bool AlwaysEvaluated(std::shared_ptr<const rules::CompiledRule> rule) {
  return SnapshotOf("lint", std::move(rule)).always_evaluated() > 0;
}

constexpr size_t kPreviewChunk = 256;
constexpr uint32_t kDefaultPreviewSamples = 20;
constexpr uint32_t kMaxPreviewSamples = 100;
// Alerts read per GetRuleStats at most (the newest are what counts, but the
// log is read from its start; a longer log is reported truncated).
constexpr size_t kMaxStatsAlerts = 200000;

// What Create and Import check before the catalog does: the subscriber
// (the caller's own when empty) and that only an admin chooses an id.
absl::Status CheckNewRule(const auth::Principal& caller, WatchRule& wanted) {
  // An analyst's rule is for its subscriber unless it names another.
  if (wanted.subscriber().empty()) wanted.set_subscriber(caller.subscriber);
  NW_RETURN_IF_ERROR(
      auth::CheckOwnsSubscriber(caller, wanted.subscriber(), "add rules for"));
  // Chosen ids would let one analyst probe or squat another's (ALREADY_EXISTS
  // tells them apart from missing ones): only an admin may choose one.
  if (!wanted.id().empty() && caller.role != auth::Role::kAdmin) {
    return absl::InvalidArgumentError(absl::StrCat(
        "rule ids are assigned by newswatchd: leave id empty (only an admin "
        "token may choose one), not '",
        wanted.id(), "'"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<WatchRule> RuleApi::Create(
    const auth::Principal& caller, WatchRule wanted,
    std::optional<absl::Time> backfill_since) {
  NW_RETURN_IF_ERROR(CheckNewRule(caller, wanted));
  absl::StatusOr<WatchRule> rule =
      catalog_.Create(std::move(wanted), backfill_since);
  if (!rule.ok()) return DescribeRuleError(rule.status());
  return rule;
}

absl::StatusOr<std::vector<catalog::ImportOutcome>> RuleApi::Import(
    const auth::Principal& caller, std::vector<WatchRule> rules) {
  std::vector<catalog::ImportOutcome> outcomes(rules.size());
  std::vector<WatchRule> checked;
  std::vector<size_t> where;  // index in `rules` of each checked rule
  checked.reserve(rules.size());
  where.reserve(rules.size());
  for (size_t i = 0; i < rules.size(); ++i) {
    if (absl::Status s = CheckNewRule(caller, rules[i]); !s.ok()) {
      outcomes[i].id = rules[i].id();
      outcomes[i].error = std::move(s);
      continue;
    }
    checked.push_back(std::move(rules[i]));
    where.push_back(i);
  }
  NW_ASSIGN_OR_RETURN(std::vector<catalog::ImportOutcome> done,
                      catalog_.CreateMany(std::move(checked)));
  for (size_t j = 0; j < done.size(); ++j) {
    catalog::ImportOutcome& outcome = done[j];
    if (!outcome.error.ok()) outcome.error = DescribeRuleError(outcome.error);
    outcomes[where[j]] = std::move(outcome);
  }
  return outcomes;
}

absl::StatusOr<WatchRule> RuleApi::Get(const auth::Principal& caller,
                                       const std::string& id) const {
  absl::StatusOr<WatchRule> rule = catalog_.Get(id);
  if (rule.ok() && !caller.Owns(rule->subscriber())) return HiddenRule(id);
  return rule;
}

absl::StatusOr<std::vector<WatchRule>> RuleApi::List(
    const auth::Principal& caller, std::string subscriber) const {
  // Only an admin lists every subscriber's rules; an analyst gets its own.
  if (caller.role != auth::Role::kAdmin) {
    if (subscriber.empty()) subscriber = caller.subscriber;
    if (absl::Status s =
            auth::CheckOwnsSubscriber(caller, subscriber, "list the rules of");
        !s.ok()) {
      return s;
    }
  }
  return catalog_.List(subscriber);
}

absl::Status RuleApi::Delete(const auth::Principal& caller,
                             const std::string& id) {
  // Rules never change subscriber, so checking before deleting is exact.
  if (absl::StatusOr<WatchRule> rule = Get(caller, id); !rule.ok())
    return rule.status();
  return catalog_.Delete(id);
}

absl::StatusOr<WatchRule> RuleApi::Update(const auth::Principal& caller,
                                          const std::string& id,
                                          std::optional<std::string> query,
                                          std::optional<std::string> label) {
  if (absl::StatusOr<WatchRule> rule = Get(caller, id); !rule.ok())
    return rule.status();
  absl::StatusOr<WatchRule> rule =
      catalog_.Update(id, std::move(query), std::move(label));
  if (!rule.ok()) return DescribeRuleError(rule.status());
  return rule;
}

std::vector<std::string> RuleApi::OtherCanonicals(
    const std::string& subscriber, absl::string_view except_id) const {
  std::vector<std::string> out;
  if (subscriber.empty()) return out;
  absl::StatusOr<std::vector<WatchRule>> rules = catalog_.List(subscriber);
  if (!rules.ok()) return out;  // lint only: a storage error is not a verdict
  for (const WatchRule& rule : *rules) {
    if (rule.id() != except_id) out.push_back(rule.canonical());
  }
  return out;
}

newswatch::v1::ValidateRuleResponse RuleApi::Validate(
    const auth::Principal& caller,
    const newswatch::v1::ValidateRuleRequest& request) const {
  newswatch::v1::ValidateRuleResponse response;
  absl::StatusOr<std::shared_ptr<const rules::CompiledRule>> rule =
      rules::ParseRule(request.query());
  if (!rule.ok()) {
    response.set_valid(false);
    response.set_error(std::string(rule.status().message()));
    response.set_error_offset(
        rules::RuleErrorOffset(rule.status()).value_or(0));
    return response;
  }
  response.set_valid(true);
  response.set_canonical((*rule)->Canonical());
  std::string subscriber = request.subscriber();
  if (subscriber.empty()) subscriber = caller.subscriber;
  // Only the caller's own rules are compared: lint must not reveal others'.
  if (!caller.Owns(subscriber)) subscriber.clear();
  for (std::string& w :
       LintRule(request.query(), (*rule)->Canonical(), AlwaysEvaluated(*rule),
                OtherCanonicals(subscriber, "")))
    response.add_warnings(std::move(w));
  return response;
}

absl::StatusOr<newswatch::v1::PreviewRuleResponse> RuleApi::Preview(
    const auth::Principal& caller,
    const newswatch::v1::PreviewRuleRequest& request) const {
  absl::StatusOr<std::shared_ptr<const rules::CompiledRule>> compiled =
      rules::ParseRule(request.query());
  if (!compiled.ok()) return DescribeRuleError(compiled.status());
  absl::Duration since = absl::Hours(24 * 7);
  if (request.has_since()) {
    since = absl::Nanoseconds(TimeUtil::DurationToNanoseconds(request.since()));
    if (since < absl::ZeroDuration()) {
      return absl::InvalidArgumentError(
          "since must be a positive duration, e.g. 7d");
    }
    if (since == absl::ZeroDuration()) since = absl::Hours(24 * 7);
  }
  if (request.limit() > kMaxPreviewSamples) {
    return absl::InvalidArgumentError(absl::StrCat("limit ", request.limit(),
                                                   " is over the limit of ",
                                                   kMaxPreviewSamples));
  }
  const uint32_t limit =
      request.limit() == 0 ? kDefaultPreviewSamples : request.limit();
  const index::RuleSnapshot snapshot = SnapshotOf(caller.subscriber, *compiled);
  const absl::Time start = clock_.Now();
  const absl::Time window_start = start - since;

  absl::StatusOr<uint64_t> last = articles_.LastSequence();
  if (!last.ok()) return last.status();
  // Sequence order is ingest order: binary-search the window's first article.
  uint64_t lo = 1, hi = *last + 1;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    NW_ASSIGN_OR_RETURN(std::vector<newswatch::v1::Article> one,
                        articles_.ScanFrom(mid, 1));
    if (one.empty() || ToTime(one.front().ingested_at()) >= window_start) {
      hi = mid;
    } else {
      lo = one.front().sequence() + 1;
    }
  }
  newswatch::v1::PreviewRuleResponse response;
  uint64_t first = lo;
  // The newest articles count most: past the bound, skip the oldest.
  if (*last + 1 > first && *last + 1 - first > preview_limits_.max_articles) {
    first = *last + 1 - preview_limits_.max_articles;
    response.set_truncated(true);
  }
  // Newest first, a chunk at a time: the newest articles matter most, and
  // when the deadline stops the scan, the oldest are the ones left out. The
  // samples are the first `limit` matches met, i.e. the newest.
  uint64_t top = *last;  // the newest sequence not scanned yet
  while (top >= first) {
    const uint64_t from =
        top - first + 1 > kPreviewChunk ? top + 1 - kPreviewChunk : first;
    NW_ASSIGN_OR_RETURN(std::vector<newswatch::v1::Article> chunk,
                        articles_.ScanFrom(from, kPreviewChunk));
    for (auto it = chunk.rbegin(); it != chunk.rend(); ++it) {
      const newswatch::v1::Article& article = *it;
      if (article.sequence() > top) continue;  // sequences may have gaps
      response.set_scanned(response.scanned() + 1);
      const index::MatchResult match =
          snapshot.Match(ingest::AnalyzeArticle(article));
      if (match.hits.empty()) continue;
      response.set_matched(response.matched() + 1);
      if (static_cast<uint32_t>(response.samples_size()) >= limit) continue;
      for (newswatch::v1::Alert& alert :
           ingest::BuildAlerts(article, match.hits)) {
        alert.set_article_id(article.id());
        alert.set_article_sequence(article.sequence());
        *response.add_samples() = std::move(alert);
      }
    }
    if (from == first) break;
    top = from - 1;
    if (clock_.Now() - start > preview_limits_.deadline) {
      response.set_truncated(true);
      break;
    }
  }
  response.set_seconds(absl::ToDoubleSeconds(clock_.Now() - start));
  if (response.matched() == 0 && response.scanned() > 0) {
    response.add_warnings(absl::StrCat("no stored article of the last ",
                                       base::FormatHumanDuration(since),
                                       " matches this rule: check its words"));
  }
  std::string subscriber = request.subscriber();
  if (subscriber.empty()) subscriber = caller.subscriber;
  if (!caller.Owns(subscriber)) subscriber.clear();
  for (std::string& w :
       LintRule(request.query(), (*compiled)->Canonical(),
                AlwaysEvaluated(*compiled), OtherCanonicals(subscriber, "")))
    response.add_warnings(std::move(w));
  return response;
}

absl::StatusOr<newswatch::v1::GetRuleStatsResponse> RuleApi::Stats(
    const auth::Principal& caller, std::string subscriber) const {
  NW_ASSIGN_OR_RETURN(
      std::string who,
      ResolveSubscriber(caller, std::move(subscriber), "count the alerts of"));
  NW_ASSIGN_OR_RETURN(std::vector<WatchRule> rules, catalog_.List(who));
  struct Counts {
    uint64_t day = 0, week = 0;
    absl::Time last = absl::InfinitePast();
  };
  absl::flat_hash_map<std::string, Counts> counts;
  const absl::Time now = clock_.Now();
  newswatch::v1::GetRuleStatsResponse response;
  uint64_t after = 0;
  size_t read = 0;
  while (true) {
    NW_ASSIGN_OR_RETURN(std::vector<newswatch::v1::Alert> alerts,
                        alert_log_.ReadAfter(who, after, 1024));
    if (alerts.empty()) break;
    for (const newswatch::v1::Alert& alert : alerts) {
      after = alert.cursor();
      const absl::Time created = ToTime(alert.created_at());
      for (const std::string& rule_id : alert.rule_ids()) {
        Counts& c = counts[rule_id];
        if (now - created <= absl::Hours(24)) ++c.day;
        if (now - created <= absl::Hours(24 * 7)) ++c.week;
        c.last = std::max(c.last, created);
      }
    }
    read += alerts.size();
    if (read >= kMaxStatsAlerts) {
      response.set_truncated(true);
      break;
    }
  }
  for (const WatchRule& rule : rules) {
    newswatch::v1::RuleStats* s = response.add_rules();
    s->set_rule_id(rule.id());
    auto it = counts.find(rule.id());
    if (it == counts.end()) continue;
    s->set_alerts_24h(it->second.day);
    s->set_alerts_7d(it->second.week);
    *s->mutable_last_alert_at() =
        TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(it->second.last));
  }
  return response;
}

}  // namespace nw::api
