#include "server/rpc/rule_service.h"

#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "server/auth/policy.h"
#include "server/base/time_range.h"
#include "server/rpc/caller.h"
#include "server/rpc/status_convert.h"
#include "server/rules/compiled_rule.h"
#include "server/rules/parser.h"
#include "server/rules/rule_error.h"

namespace nw::rpc {
namespace {

// Rule errors already end in "(at byte N)" (rules::RuleError), so the offset
// survives any client; the trailing metadata carries it machine-readably.
absl::Status DescribeRuleError(const absl::Status& status) {
  if (!rules::RuleErrorOffset(status)) return status;
  return absl::InvalidArgumentError(
      absl::StrCat("invalid rule: ", status.message()));
}

// What an analyst gets for another subscriber's rule: worded exactly as
// storage's RuleStore::Get words a missing one.
absl::Status HiddenRule(absl::string_view id) {
  return absl::NotFoundError(absl::StrCat("no rule with id '", id, "'"));
}

// backfill_since as a time, or InvalidArgument outside protobuf's Timestamp
// range. Converted without int64 nanoseconds, which overflow after 2262
// (2300-01-01 wrapped into 1715 and backfilled everything); a time after the
// newest article simply backfills nothing.
absl::StatusOr<absl::Time> BackfillSince(const google::protobuf::Timestamp& t) {
  return base::CheckedTime("backfill_since", t.seconds(), t.nanos());
}

}  // namespace

RuleServiceImpl::RuleServiceImpl(catalog::RuleBook& catalog,
                                 const auth::Authenticator* authenticator)
    : catalog_(catalog), authenticator_(authenticator) {
  const std::string service = newswatch::v1::RuleService::service_full_name();
  ServeChecked(service, "CreateRule", this, &RuleServiceImpl::CreateRule);
  ServeChecked(service, "GetRule", this, &RuleServiceImpl::GetRule);
  ServeChecked(service, "ListRules", this, &RuleServiceImpl::ListRules);
  ServeChecked(service, "DeleteRule", this, &RuleServiceImpl::DeleteRule);
  ServeChecked(service, "ValidateRule", this, &RuleServiceImpl::ValidateRule);
}

absl::StatusOr<newswatch::v1::WatchRule> RuleServiceImpl::GetOwnRule(
    const grpc::ServerContext& context, const std::string& id) {
  absl::StatusOr<auth::Principal> caller = CallerOf(authenticator_, context);
  if (!caller.ok()) return caller.status();
  absl::StatusOr<newswatch::v1::WatchRule> rule = catalog_.Get(id);
  if (rule.ok() && !caller->Owns(rule->subscriber())) return HiddenRule(id);
  return rule;
}

grpc::Status RuleServiceImpl::CreateRule(
    grpc::ServerContext* context,
    const newswatch::v1::CreateRuleRequest* request,
    newswatch::v1::WatchRule* response) {
  absl::StatusOr<auth::Principal> caller = CallerOf(authenticator_, *context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  newswatch::v1::WatchRule wanted = request->rule();
  // An analyst's rule is for its subscriber unless it names another.
  if (wanted.subscriber().empty()) wanted.set_subscriber(caller->subscriber);
  if (absl::Status s = auth::CheckOwnsSubscriber(*caller, wanted.subscriber(),
                                                 "add rules for");
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  // Chosen ids would let one analyst probe or squat another's (ALREADY_EXISTS
  // tells them apart from missing ones): only an admin may choose one.
  if (!wanted.id().empty() && caller->role != auth::Role::kAdmin) {
    return ToGrpcStatus(absl::InvalidArgumentError(absl::StrCat(
        "rule ids are assigned by newswatchd: leave id empty (only an admin "
        "token may choose one), not '",
        wanted.id(), "'")));
  }
  std::optional<absl::Time> backfill_since;
  if (request->has_backfill_since()) {
    absl::StatusOr<absl::Time> since = BackfillSince(request->backfill_since());
    if (!since.ok()) return ToGrpcStatus(since.status());
    backfill_since = *since;
  }
  absl::StatusOr<newswatch::v1::WatchRule> rule =
      catalog_.Create(wanted, backfill_since);
  if (!rule.ok()) {
    if (std::optional<uint32_t> offset =
            rules::RuleErrorOffset(rule.status())) {
      context->AddTrailingMetadata("nw-rule-error-offset",
                                   std::to_string(*offset));
    }
    return ToGrpcStatus(DescribeRuleError(rule.status()));
  }
  *response = *std::move(rule);
  return grpc::Status::OK;
}

grpc::Status RuleServiceImpl::GetRule(
    grpc::ServerContext* context, const newswatch::v1::GetRuleRequest* request,
    newswatch::v1::WatchRule* response) {
  absl::StatusOr<newswatch::v1::WatchRule> rule =
      GetOwnRule(*context, request->id());
  if (!rule.ok()) return ToGrpcStatus(rule.status());
  *response = *std::move(rule);
  return grpc::Status::OK;
}

grpc::Status RuleServiceImpl::ListRules(
    grpc::ServerContext* context,
    const newswatch::v1::ListRulesRequest* request,
    newswatch::v1::ListRulesResponse* response) {
  absl::StatusOr<auth::Principal> caller = CallerOf(authenticator_, *context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  std::string subscriber = request->subscriber();
  // Only an admin lists every subscriber's rules; an analyst gets its own.
  if (caller->role != auth::Role::kAdmin) {
    if (subscriber.empty()) subscriber = caller->subscriber;
    if (absl::Status s =
            auth::CheckOwnsSubscriber(*caller, subscriber, "list the rules of");
        !s.ok()) {
      return ToGrpcStatus(s);
    }
  }
  absl::StatusOr<std::vector<newswatch::v1::WatchRule>> rules =
      catalog_.List(subscriber);
  if (!rules.ok()) return ToGrpcStatus(rules.status());
  for (newswatch::v1::WatchRule& rule : *rules)
    *response->add_rules() = std::move(rule);
  return grpc::Status::OK;
}

grpc::Status RuleServiceImpl::DeleteRule(
    grpc::ServerContext* context,
    const newswatch::v1::DeleteRuleRequest* request,
    newswatch::v1::DeleteRuleResponse* response) {
  if (authenticator_ != nullptr) {
    // Rules never change subscriber, so checking before deleting is exact.
    absl::StatusOr<newswatch::v1::WatchRule> rule =
        GetOwnRule(*context, request->id());
    if (!rule.ok()) return ToGrpcStatus(rule.status());
  }
  return ToGrpcStatus(catalog_.Delete(request->id()));
}

grpc::Status RuleServiceImpl::ValidateRule(
    grpc::ServerContext* context,
    const newswatch::v1::ValidateRuleRequest* request,
    newswatch::v1::ValidateRuleResponse* response) {
  absl::StatusOr<std::shared_ptr<const rules::CompiledRule>> rule =
      rules::ParseRule(request->query());
  if (rule.ok()) {
    response->set_valid(true);
    response->set_canonical((*rule)->Canonical());
  } else {
    response->set_valid(false);
    response->set_error(std::string(rule.status().message()));
    response->set_error_offset(
        rules::RuleErrorOffset(rule.status()).value_or(0));
  }
  return grpc::Status::OK;
}

}  // namespace nw::rpc
