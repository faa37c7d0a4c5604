// File: server/rpc/rule_service.h
#ifndef NW_SERVER_RPC_RULE_SERVICE_H_
#define NW_SERVER_RPC_RULE_SERVICE_H_

#include "newswatch/v1/rule_service.grpc.pb.h"
#include "server/catalog/rule_catalog.h"

namespace nw::rpc {

// Thin: proto -> RuleCatalog -> ToGrpcStatus. An invalid rule gives
// INVALID_ARGUMENT whose message names the byte offset (spec §4), also sent
// as trailing metadata "nw-rule-error-offset".
class RuleServiceImpl final : public newswatch::v1::RuleService::Service {
 public:
  explicit RuleServiceImpl(catalog::RuleCatalog& catalog) : catalog_(catalog) {}

  grpc::Status CreateRule(grpc::ServerContext* context,
                          const newswatch::v1::CreateRuleRequest* request,
                          newswatch::v1::WatchRule* response) override;
  grpc::Status GetRule(grpc::ServerContext* context, const newswatch::v1::GetRuleRequest* request,
                       newswatch::v1::WatchRule* response) override;
  grpc::Status ListRules(grpc::ServerContext* context,
                         const newswatch::v1::ListRulesRequest* request,
                         newswatch::v1::ListRulesResponse* response) override;
  grpc::Status DeleteRule(grpc::ServerContext* context,
                          const newswatch::v1::DeleteRuleRequest* request,
                          newswatch::v1::DeleteRuleResponse* response) override;
  grpc::Status ValidateRule(grpc::ServerContext* context,
                            const newswatch::v1::ValidateRuleRequest* request,
                            newswatch::v1::ValidateRuleResponse* response) override;

 private:
  catalog::RuleCatalog& catalog_;
};

}  // namespace nw::rpc

#endif  // NW_SERVER_RPC_RULE_SERVICE_H_
