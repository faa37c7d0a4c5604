#include "server/rpc/rule_service.h"

#include <optional>
#include <string>

#include "google/protobuf/util/time_util.h"
#include "server/base/time_range.h"
#include "server/rpc/caller.h"
#include "server/rpc/status_convert.h"
#include "server/rules/rule_error.h"

namespace nw::rpc {
namespace {

// An error with a rule offset also carries it as trailing metadata.
grpc::Status RuleStatus(grpc::ServerContext* context,
                        const absl::Status& status) {
  if (std::optional<uint32_t> offset = rules::RuleErrorOffset(status)) {
    context->AddTrailingMetadata("nw-rule-error-offset",
                                 std::to_string(*offset));
  }
  return ToGrpcStatus(status);
}

// Runs `body(caller)` for the call's principal, returning its status.
template <typename Body>
grpc::Status AsCaller(const auth::Authenticator* authenticator,
                      grpc::ServerContext* context, Body body) {
  absl::StatusOr<auth::Principal> caller = CallerOf(authenticator, *context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return RuleStatus(context, body(*caller));
}

// Moves an OK `value` into `out`.
template <typename T>
absl::Status Into(absl::StatusOr<T> value, T* out) {
  if (!value.ok()) return value.status();
  *out = *std::move(value);
  return absl::OkStatus();
}

// backfill_since as a time, or InvalidArgument outside protobuf's Timestamp
// range. Converted without int64 nanoseconds, which overflow after 2262
// (2300-01-01 wrapped into 1715 and backfilled everything); a time after the
// newest article simply backfills nothing.
absl::StatusOr<absl::Time> BackfillSince(const google::protobuf::Timestamp& t) {
  return base::CheckedTime("backfill_since", t.seconds(), t.nanos());
}

}  // namespace

RuleServiceImpl::RuleServiceImpl(api::RuleApi& rules,
                                 const auth::Authenticator* authenticator)
    : rules_(rules), authenticator_(authenticator) {
  const std::string service = newswatch::v1::RuleService::service_full_name();
  ServeChecked(service, "CreateRule", this, &RuleServiceImpl::CreateRule);
  ServeChecked(service, "GetRule", this, &RuleServiceImpl::GetRule);
  ServeChecked(service, "ListRules", this, &RuleServiceImpl::ListRules);
  ServeChecked(service, "DeleteRule", this, &RuleServiceImpl::DeleteRule);
  ServeChecked(service, "ValidateRule", this, &RuleServiceImpl::ValidateRule);
  ServeChecked(service, "UpdateRule", this, &RuleServiceImpl::UpdateRule);
  ServeChecked(service, "PreviewRule", this, &RuleServiceImpl::PreviewRule);
  ServeChecked(service, "GetRuleStats", this, &RuleServiceImpl::GetRuleStats);
}

grpc::Status RuleServiceImpl::CreateRule(
    grpc::ServerContext* context,
    const newswatch::v1::CreateRuleRequest* request,
    newswatch::v1::WatchRule* response) {
  std::optional<absl::Time> backfill_since;
  if (request->has_backfill_since()) {
    absl::StatusOr<absl::Time> since = BackfillSince(request->backfill_since());
    if (!since.ok()) return ToGrpcStatus(since.status());
    backfill_since = *since;
  }
  return AsCaller(authenticator_, context, [&](const auth::Principal& caller) {
    return Into(rules_.Create(caller, request->rule(), backfill_since),
                response);
  });
}

grpc::Status RuleServiceImpl::GetRule(
    grpc::ServerContext* context, const newswatch::v1::GetRuleRequest* request,
    newswatch::v1::WatchRule* response) {
  return AsCaller(authenticator_, context, [&](const auth::Principal& caller) {
    return Into(rules_.Get(caller, request->id()), response);
  });
}

grpc::Status RuleServiceImpl::ListRules(
    grpc::ServerContext* context,
    const newswatch::v1::ListRulesRequest* request,
    newswatch::v1::ListRulesResponse* response) {
  return AsCaller(authenticator_, context, [&](const auth::Principal& caller) {
    absl::StatusOr<std::vector<newswatch::v1::WatchRule>> rules =
        rules_.List(caller, request->subscriber());
    if (!rules.ok()) return rules.status();
    for (newswatch::v1::WatchRule& rule : *rules)
      *response->add_rules() = std::move(rule);
    return absl::OkStatus();
  });
}

grpc::Status RuleServiceImpl::DeleteRule(
    grpc::ServerContext* context,
    const newswatch::v1::DeleteRuleRequest* request,
    newswatch::v1::DeleteRuleResponse* /*response*/) {
  return AsCaller(authenticator_, context, [&](const auth::Principal& caller) {
    return rules_.Delete(caller, request->id());
  });
}

grpc::Status RuleServiceImpl::ValidateRule(
    grpc::ServerContext* context,
    const newswatch::v1::ValidateRuleRequest* request,
    newswatch::v1::ValidateRuleResponse* response) {
  return AsCaller(authenticator_, context, [&](const auth::Principal& caller) {
    *response = rules_.Validate(caller, *request);
    return absl::OkStatus();
  });
}

grpc::Status RuleServiceImpl::UpdateRule(
    grpc::ServerContext* context,
    const newswatch::v1::UpdateRuleRequest* request,
    newswatch::v1::WatchRule* response) {
  std::optional<std::string> query, label;
  if (request->has_query()) query = request->query();
  if (request->has_label()) label = request->label();
  return AsCaller(authenticator_, context, [&](const auth::Principal& caller) {
    return Into(rules_.Update(caller, request->id(), query, label), response);
  });
}

grpc::Status RuleServiceImpl::PreviewRule(
    grpc::ServerContext* context,
    const newswatch::v1::PreviewRuleRequest* request,
    newswatch::v1::PreviewRuleResponse* response) {
  return AsCaller(authenticator_, context, [&](const auth::Principal& caller) {
    return Into(rules_.Preview(caller, *request), response);
  });
}

grpc::Status RuleServiceImpl::GetRuleStats(
    grpc::ServerContext* context,
    const newswatch::v1::GetRuleStatsRequest* request,
    newswatch::v1::GetRuleStatsResponse* response) {
  return AsCaller(authenticator_, context, [&](const auth::Principal& caller) {
    return Into(rules_.Stats(caller, request->subscriber()), response);
  });
}

}  // namespace nw::rpc
