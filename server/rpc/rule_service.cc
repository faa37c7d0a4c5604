#include "server/rpc/rule_service.h"

#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "server/base/status_macros.h"
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

constexpr int kMaxImportBatch = 10000;
constexpr int kMaxImportErrors = 1000;
constexpr int kExportPage = 1000;

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
  MarkMethodStreamed(
      MethodIndex(service, "ImportRules"),
      ClientStreamHandler<newswatch::v1::ImportRulesRequest,
                          newswatch::v1::ImportRulesResponse>(
          [this](grpc::ServerContext* context, auto next, auto* response) {
            return ImportFromStream(context, next, response);
          }));
  MarkMethodStreamed(
      MethodIndex(service, "ExportRules"),
      ServerStreamHandler<newswatch::v1::ListRulesRequest,
                          newswatch::v1::ListRulesResponse>(
          [this](grpc::ServerContext* context, const auto& request, auto send) {
            return ExportToStream(context, request, send);
          }));
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
    NW_ASSIGN_OR_RETURN(std::vector<newswatch::v1::WatchRule> rules,
                        rules_.List(caller, request->subscriber()));
    for (newswatch::v1::WatchRule& rule : rules)
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

grpc::Status RuleServiceImpl::ImportFromStream(
    grpc::ServerContext* context,
    NextRequest<newswatch::v1::ImportRulesRequest> next,
    newswatch::v1::ImportRulesResponse* response) {
  absl::StatusOr<auth::Principal> caller = CallerOf(authenticator_, *context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  uint64_t index = 0;  // of the first rule of the batch in the stream
  newswatch::v1::ImportRulesRequest batch;
  while (true) {
    batch.Clear();
    absl::StatusOr<bool> more = next(&batch);
    if (!more.ok() || !*more) {
      if (more.ok()) return grpc::Status::OK;
      return ToGrpcStatus(absl::Status(
          more.status().code(),
          absl::StrCat(more.status().message(), " (in the batch after rule ",
                       index, "; ", response->created(),
                       " rules created before it stay)")));
    }
    if (batch.rules_size() > kMaxImportBatch) {
      return ToGrpcStatus(absl::InvalidArgumentError(absl::StrCat(
          "a batch of ", batch.rules_size(), " rules is over the limit of ",
          kMaxImportBatch, ": send smaller batches")));
    }
    std::vector<newswatch::v1::WatchRule> rules(
        std::make_move_iterator(batch.mutable_rules()->begin()),
        std::make_move_iterator(batch.mutable_rules()->end()));
    absl::StatusOr<std::vector<catalog::ImportOutcome>> outcomes =
        rules_.Import(*caller, std::move(rules));
    if (!outcomes.ok()) {
      return ToGrpcStatus(absl::Status(
          outcomes.status().code(),
          absl::StrCat(outcomes.status().message(), " (importing rules ", index,
                       ".., after ", response->created(),
                       " created: import the file again, what is stored is "
                       "counted as already present)")));
    }
    for (const catalog::ImportOutcome& outcome : *outcomes) {
      switch (outcome.kind) {
        case catalog::ImportOutcome::Kind::kCreated:
          response->set_created(response->created() + 1);
          break;
        case catalog::ImportOutcome::Kind::kAlreadyPresent:
          response->set_already_present(response->already_present() + 1);
          break;
        case catalog::ImportOutcome::Kind::kInvalid:
          response->set_invalid(response->invalid() + 1);
          if (response->errors_size() < kMaxImportErrors) {
            newswatch::v1::ImportRuleError* error = response->add_errors();
            error->set_index(index);
            error->set_code(absl::StatusCodeToString(outcome.error.code()));
            error->set_message(std::string(outcome.error.message()));
            error->set_error_offset(
                rules::RuleErrorOffset(outcome.error).value_or(0));
            error->set_id(outcome.id);
          }
          break;
      }
      ++index;
    }
  }
}

grpc::Status RuleServiceImpl::ExportToStream(
    grpc::ServerContext* context,
    const newswatch::v1::ListRulesRequest& request,
    SendResponse<newswatch::v1::ListRulesResponse> send) {
  absl::StatusOr<auth::Principal> caller = CallerOf(authenticator_, *context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<std::vector<newswatch::v1::WatchRule>> rules =
      rules_.List(*caller, request.subscriber());
  if (!rules.ok()) return ToGrpcStatus(rules.status());
  newswatch::v1::ListRulesResponse page;
  for (size_t i = 0; i < rules->size(); ++i) {
    *page.add_rules() = std::move((*rules)[i]);
    if (page.rules_size() == kExportPage || i + 1 == rules->size()) {
      if (!send(page)) return grpc::Status::CANCELLED;
      page.Clear();
    }
  }
  return grpc::Status::OK;
}

}  // namespace nw::rpc
