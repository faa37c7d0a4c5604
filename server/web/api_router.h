// File: server/web/api_router.h
//
// The web console's JSON API under /api/v1 (everything but the event
// stream, which needs the connection: web_stream.cc). Each endpoint is
// checked against the gRPC method it stands for with auth::CheckMethod, then
// calls the same api::RuleApi / api::AlertApi as the gRPC services: one code
// path, one policy. Errors are {"code", "message"} with the HTTP status of
// the code (json_convert.h).
//
//   POST   /api/v1/session {token}      log in: sets the HttpOnly cookie
//   DELETE /api/v1/session              log out
//   GET    /api/v1/me                   {name, role, subscriber, auth}
//   GET    /api/v1/alerts?before=&limit=&subscriber=   newest first
//   GET    /api/v1/alerts/export?format=csv|jsonl&after=&subscriber=
//   GET    /api/v1/rules?subscriber=    POST /api/v1/rules {query, label,
//                                       subscriber, backfill: "7d"}
//   GET|PUT|DELETE /api/v1/rules/{id}   PUT {query?, label?}
//   POST   /api/v1/rules/validate {query, subscriber}
//   POST   /api/v1/rules/preview {query, since: "7d", limit, subscriber}
//   GET    /api/v1/rules/stats?subscriber=
//   GET    /api/v1/articles/{id}
//
// Thread safety: Handle may be called concurrently.
#ifndef NW_SERVER_WEB_API_ROUTER_H_
#define NW_SERVER_WEB_API_ROUTER_H_

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "server/api/alert_api.h"
#include "server/api/rule_api.h"
#include "server/auth/authenticator.h"
#include "server/web/http_types.h"
#include "server/web/session_table.h"
#include "storage/article_store.h"

namespace nw::web {

class ApiRouter {
 public:
  // References must outlive the router; `authenticator` null: no token file
  // (every caller is auth::Principal::Unrestricted()). `sessions`: the
  // console's log-in sessions.
  ApiRouter(api::RuleApi& rules, api::AlertApi& alerts,
            const storage::ArticleReader& articles,
            const auth::Authenticator* authenticator, SessionTable& sessions)
      : rules_(rules),
        alerts_(alerts),
        articles_(articles),
        authenticator_(authenticator),
        sessions_(sessions) {}

  // Answers a request whose path starts with /api/v1/.
  Response Handle(const Request& request) const;

  // The caller of a request that may call gRPC `method` (a full path as in
  // auth/policy.h), after the CSRF check: Unauthenticated, PermissionDenied.
  absl::StatusOr<auth::Principal> Admit(const Request& request,
                                        absl::string_view method) const;

  // The credential a stream opened by an admitted request keeps, so that a
  // token file reload can end it when its token is revoked
  // (StreamCredentialOf); empty without a token file.
  std::string StreamCredential(const Request& request) const;

  // Labels of `subscriber`'s rules, by rule id (for alert JSON).
  absl::flat_hash_map<std::string, std::string> Labels(
      const std::string& subscriber) const;
  // The alert as JSON with body snippets (the article read from the store;
  // without snippets when it is gone).
  std::string AlertText(
      const newswatch::v1::Alert& alert,
      const absl::flat_hash_map<std::string, std::string>& labels) const;

 private:
  absl::StatusOr<Response> Route(const Request& request) const;
  absl::StatusOr<Response> Session(const Request& request) const;
  absl::StatusOr<Response> Me(const Request& request) const;
  absl::StatusOr<Response> AlertHistory(const Request& request) const;
  absl::StatusOr<Response> Export(const Request& request) const;
  absl::StatusOr<Response> Rules(const Request& request,
                                 absl::string_view rest) const;
  absl::StatusOr<Response> Article(const Request& request,
                                   absl::string_view id) const;

  api::RuleApi& rules_;
  api::AlertApi& alerts_;
  const storage::ArticleReader& articles_;
  const auth::Authenticator* const authenticator_;
  SessionTable& sessions_;  // thread-safe
};

}  // namespace nw::web

#endif  // NW_SERVER_WEB_API_ROUTER_H_
