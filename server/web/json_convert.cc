#include "server/web/json_convert.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "server/rules/rule_error.h"
#include "server/web/segments.h"

namespace nw::web {
namespace {

using google::protobuf::util::TimeUtil;
using nlohmann::json;

json SegmentsJson(const std::vector<Segment>& segments) {
  json out = json::array();
  for (const Segment& s : segments) {
    json seg = {{"t", s.text}};
    if (s.mark) seg["m"] = true;
    out.push_back(std::move(seg));
  }
  return out;
}

std::vector<ByteRange> RangesOf(const newswatch::v1::Alert& alert,
                                newswatch::v1::Highlight::Field field) {
  std::vector<ByteRange> ranges;
  for (const auto& m : alert.matches()) {
    for (const auto& h : m.highlights()) {
      if (h.field() == field) ranges.emplace_back(h.begin(), h.end());
    }
  }
  return ranges;
}

std::string CodeName(absl::StatusCode code) {
  return absl::StatusCodeToString(code);
}

}  // namespace

int HttpStatusFor(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
      return 409;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kCancelled:
      return 499;
    case absl::StatusCode::kUnimplemented:
      return 501;
    case absl::StatusCode::kUnavailable:
      return 503;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}

json ErrorJson(const absl::Status& status) {
  json out = {{"code", CodeName(status.code())},
              {"message", std::string(status.message())}};
  if (std::optional<uint32_t> offset = rules::RuleErrorOffset(status))
    out["error_offset"] = *offset;
  return out;
}

json TimeJson(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return nullptr;
  return TimeUtil::ToString(t);
}

json AlertJson(const newswatch::v1::Alert& alert,
               const newswatch::v1::Article* article,
               const absl::flat_hash_map<std::string, std::string>& labels) {
  json rules = json::array();
  for (const std::string& id : alert.rule_ids()) {
    auto it = labels.find(id);
    rules.push_back(
        {{"id", id}, {"label", it == labels.end() ? "" : it->second}});
  }
  json matches = json::array();
  for (const auto& m : alert.matches()) {
    json hs = json::array();
    for (const auto& h : m.highlights()) {
      hs.push_back(
          {{"field",
            h.field() == newswatch::v1::Highlight::BODY ? "body" : "title"},
           {"begin", h.begin()},
           {"end", h.end()}});
    }
    matches.push_back({{"rule_id", m.rule_id()}, {"highlights", hs}});
  }
  json out = {
      {"cursor", alert.cursor()},
      {"subscriber", alert.subscriber()},
      {"article_id", alert.article_id()},
      {"title", alert.title()},
      {"title_segments",
       SegmentsJson(Segments(
           alert.title(), RangesOf(alert, newswatch::v1::Highlight::TITLE)))},
      {"source", alert.source()},
      {"url", alert.url()},
      {"published_at", TimeJson(alert.published_at())},
      {"created_at", TimeJson(alert.created_at())},
      {"backfill", alert.backfill()},
      {"rules", rules},
      {"matches", matches},
  };
  if (article != nullptr) {
    out["url"] = article->url();
    json snippets = json::array();
    for (const Snippet& s :
         Snippets(article->body(),
                  RangesOf(alert, newswatch::v1::Highlight::BODY))) {
      snippets.push_back({{"cut_before", s.cut_before},
                          {"cut_after", s.cut_after},
                          {"segments", SegmentsJson(s.segments)}});
    }
    out["snippets"] = std::move(snippets);
  }
  return out;
}

json RuleJson(const newswatch::v1::WatchRule& rule) {
  json out = {{"id", rule.id()},
              {"subscriber", rule.subscriber()},
              {"query", rule.query()},
              {"label", rule.label()},
              {"canonical", rule.canonical()},
              {"created_at", TimeJson(rule.created_at())}};
  if (rule.backfilled_alerts() > 0)
    out["backfilled_alerts"] = rule.backfilled_alerts();
  return out;
}

json ArticleJson(const newswatch::v1::Article& a) {
  return {{"id", a.id()},
          {"source", a.source()},
          {"title", a.title()},
          {"body", a.body()},
          {"url", a.url()},
          {"lang", a.lang()},
          {"tags", std::vector<std::string>(a.tags().begin(), a.tags().end())},
          {"published_at", TimeJson(a.published_at())},
          {"sequence", a.sequence()},
          {"ingested_at", TimeJson(a.ingested_at())}};
}

json ValidateJson(const newswatch::v1::ValidateRuleResponse& r) {
  json out = {{"valid", r.valid()},
              {"warnings", std::vector<std::string>(r.warnings().begin(),
                                                    r.warnings().end())}};
  if (r.valid()) {
    out["canonical"] = r.canonical();
  } else {
    out["error"] = r.error();
    out["error_offset"] = r.error_offset();
  }
  return out;
}

std::string Dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace nw::web
