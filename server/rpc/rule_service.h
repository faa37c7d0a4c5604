// File: server/rpc/rule_service.h
#ifndef NW_SERVER_RPC_RULE_SERVICE_H_
#define NW_SERVER_RPC_RULE_SERVICE_H_

#include "newswatch/v1/rule_service.grpc.pb.h"
#include "server/auth/authenticator.h"
#include "server/catalog/rule_book.h"
#include "server/rpc/checked_unary.h"

namespace nw::rpc {

// Thin: proto -> RuleCatalog -> ToGrpcStatus. An invalid rule gives
// INVALID_ARGUMENT whose message names the byte offset (spec §4), also sent
// as trailing metadata "nw-rule-error-offset".
//
// With an `authenticator` (a token file), analysts see and change only their
// own subscriber's rules: another subscriber's rule reads as NOT_FOUND, with
// the message of a missing one, so its existence is not revealed; ListRules
// without a subscriber lists the analyst's own. (Which roles may call each
// method at all is checked before, by the TokenAuthProcessor.)
class RuleServiceImpl final
    : public CheckedUnaryService<newswatch::v1::RuleService::Service> {
 public:
  // `authenticator` may be null (no token file: no restrictions); it must
  // outlive the service.
  explicit RuleServiceImpl(catalog::RuleBook& catalog,
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

 private:
  // The rule `id` if the caller may see it; NotFound alike for a missing rule
  // and another subscriber's.
  absl::StatusOr<newswatch::v1::WatchRule> GetOwnRule(
      const grpc::ServerContext& context, const std::string& id);

  catalog::RuleBook& catalog_;
  const auth::Authenticator* const authenticator_;
};

}  // namespace nw::rpc

#endif  // NW_SERVER_RPC_RULE_SERVICE_H_
