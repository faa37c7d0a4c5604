// File: server/api/rule_api.h
//
// The watch-rule operations of newswatchd for a known caller, free of any
// transport: the gRPC RuleService (server/rpc) and the web console's JSON API
// (server/web) both call these, so both apply the same subscriber ownership
// (auth::Principal::Owns) and return the same errors. Which roles may call
// each operation at all is checked before, by the transport, against
// auth::CheckMethod.
//
// Ownership: another subscriber's rule reads as NotFound, worded like a
// missing one, so its existence is not revealed.
//
// Thread safety: all methods may be called concurrently.
#ifndef NW_SERVER_API_RULE_API_H_
#define NW_SERVER_API_RULE_API_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "newswatch/v1/rule.pb.h"
#include "newswatch/v1/rule_service.pb.h"
#include "server/auth/principal.h"
#include "server/base/clock.h"
#include "server/catalog/rule_book.h"
#include "storage/alert_log.h"
#include "storage/article_store.h"

namespace nw::api {

struct PreviewLimits {
  // Articles matched per preview at most. Default: 50,000.
  size_t max_articles = 50000;
  // Time spent scanning at most. Default: 2 s.
  absl::Duration deadline = absl::Seconds(2);
};

class RuleApi {
 public:
  // Every reference must outlive the RuleApi.
  // `local_articles` is what previews scan (this node's store);
  // `articles`, `alert_log` and `catalog` may be a cluster's.
  RuleApi(catalog::RuleBook& catalog,
          const storage::ArticleStore& local_articles,
          const storage::ArticleReader& articles,
          const storage::AlertReader& alert_log, const base::Clock& clock,
          PreviewLimits preview_limits = {})
      : catalog_(catalog),
        articles_(local_articles),
        alert_log_(alert_log),
        clock_(clock),
        preview_limits_(preview_limits) {}

  // Stores `wanted` (subscriber defaults to the caller's) as
  // RuleCatalog::Create does. PermissionDenied when the caller may not add
  // rules for that subscriber.
  absl::StatusOr<newswatch::v1::WatchRule> Create(
      const auth::Principal& caller, newswatch::v1::WatchRule wanted,
      std::optional<absl::Time> backfill_since);
  // Bulk import (RuleBook::CreateMany): each rule is checked as Create
  // checks it (subscriber defaults to the caller's; PermissionDenied for
  // another's; an id only from an admin), and a rule that fails a check is
  // kInvalid with that error, without stopping the others. One outcome per
  // rule, in order.
  absl::StatusOr<std::vector<catalog::ImportOutcome>> Import(
      const auth::Principal& caller,
      std::vector<newswatch::v1::WatchRule> rules);
  // NotFound for a missing rule and another subscriber's alike.
  absl::StatusOr<newswatch::v1::WatchRule> Get(const auth::Principal& caller,
                                               const std::string& id) const;
  // The rules of `subscriber`: empty means every subscriber's for an admin
  // and its own for an analyst. PermissionDenied for another's.
  absl::StatusOr<std::vector<newswatch::v1::WatchRule>> List(
      const auth::Principal& caller, std::string subscriber) const;
  absl::Status Delete(const auth::Principal& caller, const std::string& id);
  // RuleCatalog::Update on a rule the caller owns.
  absl::StatusOr<newswatch::v1::WatchRule> Update(
      const auth::Principal& caller, const std::string& id,
      std::optional<std::string> query, std::optional<std::string> label);

  // Never fails for a bad rule: the verdict is in the response, with lint
  // warnings (rule_lint.h) when valid.
  newswatch::v1::ValidateRuleResponse Validate(
      const auth::Principal& caller,
      const newswatch::v1::ValidateRuleRequest& request) const;

  // The exact matcher over stored articles, writing nothing (see
  // RuleService.PreviewRule). InvalidArgument for an invalid query or a
  // negative window; storage errors.
  absl::StatusOr<newswatch::v1::PreviewRuleResponse> Preview(
      const auth::Principal& caller,
      const newswatch::v1::PreviewRuleRequest& request) const;

  // Alerts per rule of `subscriber` (empty: the analyst's own; required for
  // an admin) over the last 24 h and 7 days.
  absl::StatusOr<newswatch::v1::GetRuleStatsResponse> Stats(
      const auth::Principal& caller, std::string subscriber) const;

 private:
  // Canonical forms of the subscriber's rules other than `except_id`.
  std::vector<std::string> OtherCanonicals(const std::string& subscriber,
                                           absl::string_view except_id) const;

  catalog::RuleBook& catalog_;
  const storage::ArticleStore& articles_;
  const storage::AlertReader& alert_log_;
  const base::Clock& clock_;
  const PreviewLimits preview_limits_;
};

}  // namespace nw::api

#endif  // NW_SERVER_API_RULE_API_H_
