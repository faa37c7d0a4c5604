#include "server/web/api_router.h"

#include <optional>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/time_util.h"
#include "server/api/subscriber.h"
#include "server/auth/policy.h"
#include "server/auth/token_hash.h"
#include "server/base/duration.h"
#include "server/base/status_macros.h"
#include "server/base/utf8.h"
#include "server/web/csv.h"
#include "server/web/json_convert.h"
#include "server/web/web_auth.h"

namespace nw::web {
namespace {

using newswatch::v1::WatchRule;
using nlohmann::json;

constexpr char kRuleService[] = "/newswatch.v1.RuleService/";
constexpr char kSubscribe[] = "/newswatch.v1.AlertService/Subscribe";
constexpr char kGetArticle[] = "/newswatch.v1.ArticleService/GetArticle";
// Alerts one export returns at most.
constexpr size_t kMaxExportAlerts = 100000;

Response JsonResponse(const json& body, int status = 200) {
  return Response{.status = status, .body = Dump(body)};
}

absl::StatusOr<json> ParseBody(const Request& request) {
  if (std::optional<size_t> bad = base::FindInvalidUtf8(request.body)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the request body is not valid UTF-8 (at byte ", *bad, ")"));
  }
  json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    return absl::InvalidArgumentError(
        "the request body must be a JSON object, e.g. {\"query\": \"...\"}");
  }
  return body;
}

// body[key] as a string; nullopt when absent or null; InvalidArgument when
// another type.
absl::StatusOr<std::optional<std::string>> StringField(const json& body,
                                                       const char* key) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", key, "' must be a string"));
  }
  return std::optional<std::string>(it->get<std::string>());
}

absl::StatusOr<uint64_t> UintParam(const Request& request, const char* name,
                                   uint64_t fallback) {
  const std::string value = request.Query(name);
  if (value.empty()) return fallback;
  uint64_t n = 0;
  if (!absl::SimpleAtoi(value, &n)) {
    return absl::InvalidArgumentError(
        absl::StrCat("?", name, "= must be a number, not '", value, "'"));
  }
  return n;
}

// "7d", "24h", "" (nullopt) as a duration for backfill and preview.
absl::StatusOr<std::optional<absl::Duration>> DurationField(const json& body,
                                                            const char* key) {
  NW_ASSIGN_OR_RETURN(std::optional<std::string> text, StringField(body, key));
  if (!text || text->empty() || *text == "none")
    return std::optional<absl::Duration>();
  absl::StatusOr<absl::Duration> d = base::ParseHumanDuration(*text);
  if (!d.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", key, "': ", d.status().message()));
  }
  return std::optional<absl::Duration>(*d);
}

std::string TimeText(const google::protobuf::Timestamp& t) {
  const json j = TimeJson(t);
  return j.is_string() ? j.get<std::string>() : std::string();
}

json MeJson(const auth::Principal& p, bool auth) {
  return {{"name", p.name},
          {"role", std::string(auth::RoleName(p.role))},
          {"subscriber", p.subscriber},
          {"auth", auth}};
}

}  // namespace

absl::StatusOr<auth::Principal> ApiRouter::Admit(
    const Request& request, absl::string_view method) const {
  NW_RETURN_IF_ERROR(CheckCsrf(request));
  absl::StatusOr<auth::Principal> caller =
      Authenticate(request, authenticator_, sessions_);
  if (!caller.ok()) return caller.status();
  if (!method.empty()) {
    NW_RETURN_IF_ERROR(auth::CheckMethod(*caller, method));
  }
  return caller;
}

std::string ApiRouter::StreamCredential(const Request& request) const {
  if (authenticator_ == nullptr) return "";
  return StreamCredentialOf(request, sessions_);
}

Response ApiRouter::Handle(const Request& request) const {
  absl::StatusOr<Response> response = Route(request);
  if (!response.ok()) {
    return JsonResponse(ErrorJson(response.status()),
                        HttpStatusFor(response.status().code()));
  }
  return *std::move(response);
}

absl::StatusOr<Response> ApiRouter::Route(const Request& request) const {
  absl::string_view path = request.path;
  if (!absl::ConsumePrefix(&path, "/api/v1/"))
    return absl::NotFoundError("no such API path");
  if (path == "session") return Session(request);
  if (path == "me") return Me(request);
  if (path == "alerts") return AlertHistory(request);
  if (path == "alerts/export") return Export(request);
  if (path == "rules" || absl::ConsumePrefix(&path, "rules/")) {
    return Rules(request, path == "rules" ? "" : path);
  }
  if (absl::ConsumePrefix(&path, "articles/")) return Article(request, path);
  return absl::NotFoundError(
      absl::StrCat("no API path ", request.path, " (see /api/v1/ in README)"));
}

absl::StatusOr<Response> ApiRouter::Session(const Request& request) const {
  NW_RETURN_IF_ERROR(CheckCsrf(request));
  if (request.method == "DELETE") {
    // Log out: the session ends here, not only in this browser.
    if (std::optional<RequestCredential> c = CredentialOf(request);
        c && c->kind == RequestCredential::Kind::kSession)
      NW_RETURN_IF_ERROR(sessions_.End(c->value));
    Response r = JsonResponse(json::object());
    r.headers.emplace_back("Set-Cookie", ClearedSessionCookie());
    return r;
  }
  if (request.method != "POST")
    return absl::InvalidArgumentError("use POST or DELETE on /api/v1/session");
  if (authenticator_ == nullptr)
    return JsonResponse(MeJson(auth::Principal::Unrestricted(), false));
  NW_ASSIGN_OR_RETURN(json body, ParseBody(request));
  absl::StatusOr<std::optional<std::string>> token = StringField(body, "token");
  if (!token.ok()) return token.status();
  if (!*token || (*token)->empty()) {
    return absl::InvalidArgumentError(
        "give {\"token\": \"nwt_...\"} (made with: newswatch token new)");
  }
  NW_ASSIGN_OR_RETURN(
      auth::Principal who,
      authenticator_->Identify(absl::StrCat("Bearer ", **token)));
  // The session keeps only the token's hash (as Identify strips it).
  NW_ASSIGN_OR_RETURN(
      std::string session,
      sessions_.Create(auth::Sha256Hex(absl::StripAsciiWhitespace(**token))));
  Response r = JsonResponse(MeJson(who, true));
  r.headers.emplace_back("Set-Cookie", SessionCookie(session));
  return r;
}

absl::StatusOr<Response> ApiRouter::Me(const Request& request) const {
  NW_ASSIGN_OR_RETURN(auth::Principal caller, Admit(request, ""));
  return JsonResponse(MeJson(caller, authenticator_ != nullptr));
}

absl::flat_hash_map<std::string, std::string> ApiRouter::Labels(
    const std::string& subscriber) const {
  absl::flat_hash_map<std::string, std::string> labels;
  absl::StatusOr<std::vector<WatchRule>> rules =
      rules_.List(auth::Principal::Unrestricted(), subscriber);
  if (!rules.ok()) return labels;  // labels are decoration only
  for (const WatchRule& r : *rules) labels[r.id()] = r.label();
  return labels;
}

std::string ApiRouter::AlertText(
    const newswatch::v1::Alert& alert,
    const absl::flat_hash_map<std::string, std::string>& labels) const {
  absl::StatusOr<newswatch::v1::Article> article =
      articles_.Get(alert.article_id());
  return Dump(AlertJson(alert, article.ok() ? &*article : nullptr, labels));
}

absl::StatusOr<Response> ApiRouter::AlertHistory(const Request& request) const {
  NW_ASSIGN_OR_RETURN(auth::Principal caller, Admit(request, kSubscribe));
  NW_ASSIGN_OR_RETURN(uint64_t before, UintParam(request, "before", 0));
  NW_ASSIGN_OR_RETURN(uint64_t limit, UintParam(request, "limit", 50));
  absl::StatusOr<std::vector<newswatch::v1::Alert>> alerts = alerts_.History(
      caller, request.Query("subscriber"), before,
      static_cast<uint32_t>(std::min<uint64_t>(limit, UINT32_MAX)));
  if (!alerts.ok()) return alerts.status();
  // The subscriber History resolved is on every alert.
  absl::flat_hash_map<std::string, std::string> labels;
  if (!alerts->empty()) labels = Labels(alerts->front().subscriber());
  std::string body = "{\"alerts\":[";
  for (size_t i = 0; i < alerts->size(); ++i) {
    if (i > 0) body += ',';
    body += AlertText((*alerts)[i], labels);
  }
  body += "]}";
  return Response{.body = std::move(body)};
}

absl::StatusOr<Response> ApiRouter::Export(const Request& request) const {
  NW_ASSIGN_OR_RETURN(auth::Principal caller, Admit(request, kSubscribe));
  const std::string format =
      request.Query("format").empty() ? "csv" : request.Query("format");
  if (format != "csv" && format != "jsonl")
    return absl::InvalidArgumentError("?format= must be csv or jsonl");
  NW_ASSIGN_OR_RETURN(uint64_t after, UintParam(request, "after", 0));
  NW_ASSIGN_OR_RETURN(std::string who, api::ResolveSubscriber(
                                           caller, request.Query("subscriber"),
                                           "export the alerts of"));
  const std::string& subscriber = who;
  const auto labels = Labels(subscriber);
  std::string body;
  if (format == "csv") {
    body =
        CsvRow({"cursor", "created_at", "published_at", "source", "article_id",
                "title", "url", "rule_ids", "rule_labels", "backfill"});
  }
  uint64_t from = after;
  size_t exported = 0;
  while (exported < kMaxExportAlerts) {
    NW_ASSIGN_OR_RETURN(std::vector<newswatch::v1::Alert> chunk,
                        alerts_.ReadAfter(subscriber, from, 1024));
    if (chunk.empty()) break;
    for (const newswatch::v1::Alert& a : chunk) {
      from = a.cursor();
      ++exported;
      if (format == "jsonl") {
        body += Dump(AlertJson(a, nullptr, labels));
        body += '\n';
        continue;
      }
      std::vector<std::string> names;
      for (const std::string& id : a.rule_ids()) {
        auto it = labels.find(id);
        names.push_back(it == labels.end() ? "" : it->second);
      }
      body +=
          CsvRow({absl::StrCat(a.cursor()), TimeText(a.created_at()),
                  TimeText(a.published_at()), a.source(), a.article_id(),
                  a.title(), a.url(), absl::StrJoin(a.rule_ids(), ";"),
                  absl::StrJoin(names, ";"), a.backfill() ? "true" : "false"});
    }
  }
  Response r{.content_type = format == "csv" ? "text/csv; charset=utf-8"
                                             : "application/x-ndjson",
             .body = std::move(body)};
  r.headers.emplace_back("Content-Disposition",
                         absl::StrCat("attachment; filename=\"alerts-",
                                      subscriber, ".", format, "\""));
  return r;
}

absl::StatusOr<Response> ApiRouter::Rules(const Request& request,
                                          absl::string_view rest) const {
  const std::string& m = request.method;
  auto admit = [&](absl::string_view rpc) {
    return Admit(request, absl::StrCat(kRuleService, rpc));
  };
  if (rest == "validate" || rest == "preview") {
    if (m != "POST") return absl::InvalidArgumentError("use POST");
    NW_ASSIGN_OR_RETURN(
        auth::Principal caller,
        admit(rest == "validate" ? "ValidateRule" : "PreviewRule"));
    NW_ASSIGN_OR_RETURN(json body, ParseBody(request));
    NW_ASSIGN_OR_RETURN(std::optional<std::string> query,
                        StringField(body, "query"));
    NW_ASSIGN_OR_RETURN(std::optional<std::string> subscriber,
                        StringField(body, "subscriber"));
    if (rest == "validate") {
      newswatch::v1::ValidateRuleRequest req;
      req.set_query(query.value_or(""));
      req.set_subscriber(subscriber.value_or(""));
      return JsonResponse(ValidateJson(rules_.Validate(caller, req)));
    }
    newswatch::v1::PreviewRuleRequest req;
    req.set_query(query.value_or(""));
    req.set_subscriber(subscriber.value_or(""));
    NW_ASSIGN_OR_RETURN(std::optional<absl::Duration> since,
                        DurationField(body, "since"));
    if (since) {
      *req.mutable_since() =
          google::protobuf::util::TimeUtil::NanosecondsToDuration(
              absl::ToInt64Nanoseconds(*since));
    }
    if (auto it = body.find("limit"); it != body.end()) {
      if (!it->is_number_unsigned())
        return absl::InvalidArgumentError("'limit' must be a whole number");
      req.set_limit(static_cast<uint32_t>(
          std::min<uint64_t>(it->get<uint64_t>(), UINT32_MAX)));
    }
    absl::StatusOr<newswatch::v1::PreviewRuleResponse> preview =
        rules_.Preview(caller, req);
    if (!preview.ok()) return preview.status();
    const auto labels =
        absl::flat_hash_map<std::string, std::string>{{"preview", "preview"}};
    std::string samples = "[";
    for (int i = 0; i < preview->samples_size(); ++i) {
      if (i > 0) samples += ',';
      samples += AlertText(preview->samples(i), labels);
    }
    samples += "]";
    json out = {
        {"scanned", preview->scanned()},
        {"matched", preview->matched()},
        {"truncated", preview->truncated()},
        {"seconds", preview->seconds()},
        {"warnings", std::vector<std::string>(preview->warnings().begin(),
                                              preview->warnings().end())},
        {"samples", json::parse(samples)}};
    return JsonResponse(out);
  }
  if (rest == "stats") {
    NW_ASSIGN_OR_RETURN(auth::Principal caller, admit("GetRuleStats"));
    NW_ASSIGN_OR_RETURN(newswatch::v1::GetRuleStatsResponse stats,
                        rules_.Stats(caller, request.Query("subscriber")));
    json rules = json::array();
    for (const auto& s : stats.rules()) {
      rules.push_back({{"rule_id", s.rule_id()},
                       {"alerts_24h", s.alerts_24h()},
                       {"alerts_7d", s.alerts_7d()},
                       {"last_alert_at", TimeJson(s.last_alert_at())}});
    }
    return JsonResponse({{"rules", rules}, {"truncated", stats.truncated()}});
  }
  if (rest.empty()) {
    if (m == "GET") {
      NW_ASSIGN_OR_RETURN(auth::Principal caller, admit("ListRules"));
      absl::StatusOr<std::vector<WatchRule>> rules =
          rules_.List(caller, request.Query("subscriber"));
      if (!rules.ok()) return rules.status();
      json out = json::array();
      for (const WatchRule& r : *rules) out.push_back(RuleJson(r));
      return JsonResponse({{"rules", out}});
    }
    if (m != "POST") return absl::InvalidArgumentError("use GET or POST");
    NW_ASSIGN_OR_RETURN(auth::Principal caller, admit("CreateRule"));
    NW_ASSIGN_OR_RETURN(json body, ParseBody(request));
    WatchRule rule;
    for (const char* key : {"query", "label", "subscriber"}) {
      NW_ASSIGN_OR_RETURN(std::optional<std::string> v, StringField(body, key));
      if (!v) continue;
      if (key == std::string("query")) rule.set_query(*v);
      if (key == std::string("label")) rule.set_label(*v);
      if (key == std::string("subscriber")) rule.set_subscriber(*v);
    }
    NW_ASSIGN_OR_RETURN(std::optional<absl::Duration> backfill,
                        DurationField(body, "backfill"));
    std::optional<absl::Time> since;
    if (backfill) since = absl::Now() - *backfill;
    NW_ASSIGN_OR_RETURN(WatchRule created,
                        rules_.Create(caller, std::move(rule), since));
    return JsonResponse(RuleJson(created), 201);
  }
  const std::string id(rest);
  if (m == "GET") {
    NW_ASSIGN_OR_RETURN(auth::Principal caller, admit("GetRule"));
    NW_ASSIGN_OR_RETURN(WatchRule rule, rules_.Get(caller, id));
    return JsonResponse(RuleJson(rule));
  }
  if (m == "DELETE") {
    NW_ASSIGN_OR_RETURN(auth::Principal caller, admit("DeleteRule"));
    NW_RETURN_IF_ERROR(rules_.Delete(caller, id));
    return JsonResponse(json::object());
  }
  if (m == "PUT") {
    NW_ASSIGN_OR_RETURN(auth::Principal caller, admit("UpdateRule"));
    NW_ASSIGN_OR_RETURN(json body, ParseBody(request));
    NW_ASSIGN_OR_RETURN(std::optional<std::string> query,
                        StringField(body, "query"));
    NW_ASSIGN_OR_RETURN(std::optional<std::string> label,
                        StringField(body, "label"));
    NW_ASSIGN_OR_RETURN(
        WatchRule rule,
        rules_.Update(caller, id, std::move(query), std::move(label)));
    return JsonResponse(RuleJson(rule));
  }
  return absl::InvalidArgumentError("use GET, PUT or DELETE on a rule");
}

absl::StatusOr<Response> ApiRouter::Article(const Request& request,
                                            absl::string_view id) const {
  NW_ASSIGN_OR_RETURN(auth::Principal caller, Admit(request, kGetArticle));
  NW_ASSIGN_OR_RETURN(newswatch::v1::Article article, articles_.Get(id));
  return JsonResponse(ArticleJson(article));
}

}  // namespace nw::web
