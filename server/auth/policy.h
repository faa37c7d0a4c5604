// File: server/auth/policy.h
//
// The one authorization policy of newswatchd: which roles may call which
// gRPC method, and the subscriber-ownership rule for analysts.
//
//   method                                  roles
//   IngestService/SubmitArticle(s)          ingest, admin
//   ArticleService/GetArticle, GetStory     analyst, admin
//   SubscriberService/Get,UpdateSubscriberSettings
//                                           analyst (own subscriber), admin
//   RuleService/CreateRule, GetRule,
//     ListRules, DeleteRule, UpdateRule,
//     GetRuleStats                          analyst (own subscriber), admin
//   RuleService/ValidateRule, PreviewRule   analyst, admin
//   AlertService/Subscribe                  analyst (own subscriber), admin
//   DeliveryService/* (webhooks, e-mail)    analyst (own subscriber), admin
//   AdminService/*                          admin
//   grpc.health.v1.Health/*                 anyone, no token (probes)
//   grpc.reflection.v1alpha.ServerReflection  any valid token (schema only)
//   any other method                        admin
//
// The web console (server/web) checks each HTTP endpoint against the gRPC
// method it stands for, so both transports share this table.
//
// Thread safety: stateless; call from any thread.
#ifndef NW_SERVER_AUTH_POLICY_H_
#define NW_SERVER_AUTH_POLICY_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "server/auth/principal.h"

namespace nw::auth {

// True for methods callable without a token (the gRPC health service).
// `method` is the HTTP/2 path, e.g. "/grpc.health.v1.Health/Check".
bool IsPublicMethod(absl::string_view method);

// OK when `principal` may call `method` (a full path as above). Otherwise
// PermissionDenied naming the token, the method and the roles that may.
// Subscriber ownership is checked separately (CheckOwnsSubscriber) where the
// request is known.
absl::Status CheckMethod(const Principal& principal, absl::string_view method);

// OK when `principal` may use `subscriber`'s rules and alerts; otherwise
// PermissionDenied saying which subscriber the token is limited to.
// `action` completes "may not ...", e.g. "subscribe to".
absl::Status CheckOwnsSubscriber(const Principal& principal,
                                 absl::string_view subscriber,
                                 absl::string_view action);

}  // namespace nw::auth

#endif  // NW_SERVER_AUTH_POLICY_H_
