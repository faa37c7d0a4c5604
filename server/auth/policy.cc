#include "server/auth/policy.h"

#include <initializer_list>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace nw::auth {
namespace {

// Bit i set: Role(i) allowed.
using RoleSet = unsigned;
constexpr RoleSet Roles(std::initializer_list<Role> roles) {
  RoleSet set = 0;
  for (Role r : roles) set |= 1u << static_cast<unsigned>(r);
  return set;
}
constexpr RoleSet kAnyRole =
    Roles({Role::kIngest, Role::kAnalyst, Role::kAdmin});

struct MethodRule {
  absl::string_view method;  // a full path, or a "/service/" prefix
  RoleSet roles;
};

// The policy table. Ownership of the subscriber in the request is checked
// by the services themselves (they know the request); see CheckOwnsSubscriber.
constexpr MethodRule kPolicy[] = {
    {"/newswatch.v1.IngestService/SubmitArticle",
     Roles({Role::kIngest, Role::kAdmin})},
    {"/newswatch.v1.IngestService/SubmitArticles",
     Roles({Role::kIngest, Role::kAdmin})},
    {"/newswatch.v1.ArticleService/GetArticle",
     Roles({Role::kAnalyst, Role::kAdmin})},
    {"/newswatch.v1.ArticleService/GetStory",
     Roles({Role::kAnalyst, Role::kAdmin})},
    {"/newswatch.v1.SubscriberService/GetSubscriberSettings",
     Roles({Role::kAnalyst, Role::kAdmin})},
    {"/newswatch.v1.SubscriberService/UpdateSubscriberSettings",
     Roles({Role::kAnalyst, Role::kAdmin})},
    {"/newswatch.v1.RuleService/CreateRule",
     Roles({Role::kAnalyst, Role::kAdmin})},
    {"/newswatch.v1.RuleService/GetRule",
     Roles({Role::kAnalyst, Role::kAdmin})},
    {"/newswatch.v1.RuleService/ListRules",
     Roles({Role::kAnalyst, Role::kAdmin})},
    {"/newswatch.v1.RuleService/DeleteRule",
     Roles({Role::kAnalyst, Role::kAdmin})},
    {"/newswatch.v1.RuleService/ValidateRule",
     Roles({Role::kAnalyst, Role::kAdmin})},
    {"/newswatch.v1.RuleService/UpdateRule",
     Roles({Role::kAnalyst, Role::kAdmin})},
    {"/newswatch.v1.RuleService/PreviewRule",
     Roles({Role::kAnalyst, Role::kAdmin})},
    {"/newswatch.v1.RuleService/GetRuleStats",
     Roles({Role::kAnalyst, Role::kAdmin})},
    {"/newswatch.v1.RuleService/ImportRules",
     Roles({Role::kAnalyst, Role::kAdmin})},
    {"/newswatch.v1.RuleService/ExportRules",
     Roles({Role::kAnalyst, Role::kAdmin})},
    {"/newswatch.v1.AlertService/Subscribe",
     Roles({Role::kAnalyst, Role::kAdmin})},
    // Webhooks and e-mail: the service checks the subscriber is the caller's.
    {"/newswatch.v1.DeliveryService/", Roles({Role::kAnalyst, Role::kAdmin})},
    {"/newswatch.v1.AdminService/", Roles({Role::kAdmin})},  // checkpoints etc.
    // The API's schema, which is public anyway: any valid token, so that
    // anonymous callers still see nothing but health.
    {"/grpc.reflection.v1alpha.ServerReflection/", kAnyRole},
};
// Methods not in the table (e.g. added later and forgotten here).
constexpr RoleSet kDefaultRoles = Roles({Role::kAdmin});

RoleSet AllowedRoles(absl::string_view method) {
  for (const MethodRule& rule : kPolicy) {
    if (method == rule.method || (absl::EndsWith(rule.method, "/") &&
                                  absl::StartsWith(method, rule.method))) {
      return rule.roles;
    }
  }
  return kDefaultRoles;
}

std::string RoleList(RoleSet set) {
  std::vector<absl::string_view> names;
  for (Role r : {Role::kIngest, Role::kAnalyst, Role::kAdmin}) {
    if (set & (1u << static_cast<unsigned>(r))) names.push_back(RoleName(r));
  }
  return absl::StrJoin(names, ", ");
}

}  // namespace

bool IsPublicMethod(absl::string_view method) {
  return absl::StartsWith(method, "/grpc.health.v1.Health/");
}

absl::Status CheckMethod(const Principal& principal, absl::string_view method) {
  const RoleSet allowed = AllowedRoles(method);
  if (allowed & (1u << static_cast<unsigned>(principal.role)))
    return absl::OkStatus();
  absl::string_view short_name = method;
  absl::ConsumePrefix(&short_name, "/newswatch.v1.");
  return absl::PermissionDeniedError(
      absl::StrCat(principal.Describe(), " may not call ", short_name,
                   "; allowed roles: ", RoleList(allowed)));
}

absl::Status CheckOwnsSubscriber(const Principal& principal,
                                 absl::string_view subscriber,
                                 absl::string_view action) {
  if (principal.Owns(subscriber)) return absl::OkStatus();
  if (principal.role == Role::kAnalyst) {
    return absl::PermissionDeniedError(absl::StrCat(
        principal.Describe(), " may not ", action, " subscriber '", subscriber,
        "'; it is limited to subscriber '", principal.subscriber, "'"));
  }
  return absl::PermissionDeniedError(
      absl::StrCat(principal.Describe(), " may not ", action, " subscriber '",
                   subscriber, "'"));
}

}  // namespace nw::auth
