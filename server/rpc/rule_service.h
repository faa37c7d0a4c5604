// File: server/rpc/rule_service.h
#ifndef NW_SERVER_RPC_RULE_SERVICE_H_
#define NW_SERVER_RPC_RULE_SERVICE_H_

#include "newswatch/v1/rule_service.grpc.pb.h"
#include "server/api/rule_api.h"
#include "server/auth/authenticator.h"
#include "server/rpc/checked_stream.h"
#include "server/rpc/checked_unary.h"

namespace nw::rpc {

// Thin: proto -> api::RuleApi (for the calling principal) -> ToGrpcStatus.
// An invalid rule gives INVALID_ARGUMENT whose message names the byte offset
// (spec §4), also sent as trailing metadata "nw-rule-error-offset".
//
// With an `authenticator` (a token file), analysts see and change only their
// own subscriber's rules (api::RuleApi): another subscriber's rule reads as
// NOT_FOUND, so its existence is not revealed. Which roles may call each
// method at all is checked before, by the TokenAuthProcessor. Requests are
// parsed from their bytes (checked_unary.h): a string that is not UTF-8 gets
// INVALID_ARGUMENT naming the field.
class RuleServiceImpl final
    : public CheckedUnaryService<newswatch::v1::RuleService::Service> {
 public:
  // `authenticator` may be null (no token file: no restrictions); both must
  // outlive the service.
  explicit RuleServiceImpl(api::RuleApi& rules,
                           const auth::Authenticator* authenticator = nullptr);

  grpc::Status CreateRule(grpc::ServerContext* context,
                          const newswatch::v1::CreateRuleRequest* request,
                          newswatch::v1::WatchRule* response) override;
  grpc::Status GetRule(grpc::ServerContext* context,
                       const newswatch::v1::GetRuleRequest* request,
                       newswatch::v1::WatchRule* response) override;
  grpc::Status ListRules(grpc::ServerContext* context,
                         const newswatch::v1::ListRulesRequest* request,
                         newswatch::v1::ListRulesResponse* response) override;
  grpc::Status DeleteRule(grpc::ServerContext* context,
                          const newswatch::v1::DeleteRuleRequest* request,
                          newswatch::v1::DeleteRuleResponse* response) override;
  grpc::Status ValidateRule(
      grpc::ServerContext* context,
      const newswatch::v1::ValidateRuleRequest* request,
      newswatch::v1::ValidateRuleResponse* response) override;
  grpc::Status UpdateRule(grpc::ServerContext* context,
                          const newswatch::v1::UpdateRuleRequest* request,
                          newswatch::v1::WatchRule* response) override;
  grpc::Status PreviewRule(
      grpc::ServerContext* context,
      const newswatch::v1::PreviewRuleRequest* request,
      newswatch::v1::PreviewRuleResponse* response) override;
  grpc::Status GetRuleStats(
      grpc::ServerContext* context,
      const newswatch::v1::GetRuleStatsRequest* request,
      newswatch::v1::GetRuleStatsResponse* response) override;

  // ImportRules and ExportRules, served from the request bytes
  // (checked_stream.h) instead of the generated overrides.
  grpc::Status ImportFromStream(
      grpc::ServerContext* context,
      NextRequest<newswatch::v1::ImportRulesRequest> next,
      newswatch::v1::ImportRulesResponse* response);
  grpc::Status ExportToStream(
      grpc::ServerContext* context,
      const newswatch::v1::ListRulesRequest& request,
      SendResponse<newswatch::v1::ListRulesResponse> send);

 private:
  api::RuleApi& rules_;
  const auth::Authenticator* const authenticator_;
};

}  // namespace nw::rpc

#endif  // NW_SERVER_RPC_RULE_SERVICE_H_
