// newswatch rules add|list|get|rm|validate|test|edit (import|export:
// rules_io_command.cc)
#include <iostream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "client/cli/cli_common.h"
#include "client/cli/commands.h"
#include "client/lib/text_render.h"
#include "server/base/duration.h"

namespace nw::client::cli {
namespace {

constexpr char kRulesUsage[] =
    "usage:\n"
    "  newswatch rules add --subscriber S [--label L] [--backfill DURATION] "
    "'RULE'\n"
    "      create a rule; prints its id and canonical form; with --backfill\n"
    "      (e.g. 7d) also alerts on the articles stored in that last span and\n"
    "      prints how many alerts that made\n"
    "  newswatch rules list [--subscriber S]\n"
    "      one rule a line: id, subscriber, label, query (tab-separated)\n"
    "  newswatch rules get ID\n"
    "      the rule: id, subscriber, label, query, canonical form, created\n"
    "  newswatch rules rm ID\n"
    "  newswatch rules validate 'RULE'\n"
    "      prints 'ok: <canonical>' and any warnings, or the error and where\n"
    "      it is (exit 1)\n"
    "  newswatch rules test [--since 7d] [--limit N] 'RULE'\n"
    "      runs the rule over the stored articles of that last span without\n"
    "      saving anything: how many match, and the newest matches\n"
    "  newswatch rules edit ID [--query 'RULE'] [--label L]\n"
    "      changes a rule's query and/or label, keeping its id\n"
    "  newswatch rules import [--subscriber S] [--keep-ids] FILE.jsonl[.gz]\n"
    "      creates many rules at once (lines {\"subscriber\",\"rule\"}); "
    "prints\n"
    "      created / already present / invalid with line numbers\n"
    "  newswatch rules export [--subscriber S] [--out FILE]\n"
    "      the rules as JSON lines that import reads back\n";

// Prints a rule error with a caret under its offset; returns kExitFailure.
int ReportInvalidRule(const std::string& query,
                      const v1::ValidateRuleResponse& verdict) {
  std::string error = verdict.error();
  // newswatchd's messages already end in "(at byte N)"; add it when missing.
  if (!absl::StrContains(error, "(at byte ")) {
    absl::StrAppend(&error, " (at byte ", verdict.error_offset(), ")");
  }
  std::cerr << "newswatch: invalid rule: " << error << "\n"
            << RenderCaret(query, verdict.error_offset()) << std::flush;
  return kExitFailure;
}

int RulesAdd(const std::vector<std::string>& args) {
  CommandArgs cmd = ParseCommandArgs(
      args,
      {{"subscriber", "S",
        "who receives the alerts (required, except with an analyst token: "
        "its subscriber)"},
       {"label", "L", "free text shown with the rule"},
       {"backfill", "DURATION",
        "also alert on the articles stored in the last DURATION (e.g. 7d, "
        "12h)"}},
      "usage: newswatch rules add --subscriber S [--label L] "
      "[--backfill DURATION] 'RULE'\n");
  if (cmd.exit_code >= 0) return cmd.exit_code;
  const ParsedArgs& a = cmd.parsed;
  // With a token the daemon fills in an analyst token's subscriber (and
  // refuses other roles without one).
  if (a.positional.size() != 1 ||
      (a.Get("subscriber").empty() && SecurityFromArgs(a).token.empty())) {
    return UsageError("rules add needs --subscriber and one RULE", kRulesUsage);
  }
  v1::CreateRuleRequest request;
  if (a.Has("backfill")) {
    absl::StatusOr<absl::Duration> window =
        base::ParseHumanDuration(a.Get("backfill"));
    if (!window.ok()) {
      return UsageError(absl::StrCat("--backfill: ", window.status().message()),
                        kRulesUsage);
    }
    // Floored seconds keep nanos in [0, 1e9) before 1970 too, as a
    // Timestamp requires.
    const absl::Time since = absl::Now() - *window;
    const int64_t seconds = absl::ToUnixSeconds(since);
    request.mutable_backfill_since()->set_seconds(seconds);
    request.mutable_backfill_since()->set_nanos(static_cast<int32_t>(
        absl::ToInt64Nanoseconds(since - absl::FromUnixSeconds(seconds))));
  }
  auto client = ConnectOrReport(a);
  if (client == nullptr) return kExitFailure;
  v1::WatchRule& rule = *request.mutable_rule();
  rule.set_subscriber(a.Get("subscriber"));
  rule.set_label(a.Get("label"));
  rule.set_query(a.positional[0]);
  absl::StatusOr<v1::WatchRule> created = client->CreateRule(request);
  if (created.ok()) {
    std::cout << created->id() << "\t" << created->canonical() << "\n";
    if (request.has_backfill_since()) {
      std::cout << "backfilled " << created->backfilled_alerts() << " alert"
                << (created->backfilled_alerts() == 1 ? "" : "s")
                << " (articles ingested in the last " << a.Get("backfill")
                << ")\n";
    }
    std::cout << std::flush;
    return kExitOk;
  }
  if (absl::IsInvalidArgument(created.status())) {
    // CreateRule's status carries no structured offset: ask ValidateRule.
    absl::StatusOr<v1::ValidateRuleResponse> verdict =
        client->ValidateRule(rule.query());
    if (verdict.ok() && !verdict->valid()) {
      return ReportInvalidRule(rule.query(), *verdict);
    }
  }
  return Fail("create rule", created.status());
}

int RulesList(const std::vector<std::string>& args) {
  CommandArgs cmd = ParseCommandArgs(
      args, {{"subscriber", "S", "only this subscriber's rules"}},
      "usage: newswatch rules list [--subscriber S]\n");
  if (cmd.exit_code >= 0) return cmd.exit_code;
  if (!cmd.parsed.positional.empty()) {
    return UsageError("rules list takes no arguments", kRulesUsage);
  }
  auto client = ConnectOrReport(cmd.parsed);
  if (client == nullptr) return kExitFailure;
  absl::StatusOr<std::vector<v1::WatchRule>> rules =
      client->ListRules(cmd.parsed.Get("subscriber"));
  if (!rules.ok()) return Fail("list rules", rules.status());
  for (const v1::WatchRule& rule : *rules) {
    std::cout << rule.id() << "\t" << rule.subscriber() << "\t"
              << (rule.label().empty() ? "-" : OneLine(rule.label())) << "\t"
              << OneLine(rule.query()) << "\n";
  }
  std::cout << std::flush;
  return kExitOk;
}

int RulesGet(const std::vector<std::string>& args) {
  CommandArgs cmd =
      ParseCommandArgs(args, {}, "usage: newswatch rules get ID\n");
  if (cmd.exit_code >= 0) return cmd.exit_code;
  if (cmd.parsed.positional.size() != 1) {
    return UsageError("rules get takes one rule ID", kRulesUsage);
  }
  auto client = ConnectOrReport(cmd.parsed);
  if (client == nullptr) return kExitFailure;
  const std::string& id = cmd.parsed.positional[0];
  absl::StatusOr<v1::WatchRule> rule = client->GetRule(id);
  if (!rule.ok()) return Fail("get rule " + id, rule.status());
  std::cout << "id:         " << rule->id() << "\n"
            << "subscriber: " << rule->subscriber() << "\n"
            << "label:      "
            << (rule->label().empty() ? "-" : OneLine(rule->label())) << "\n"
            << "query:      " << OneLine(rule->query()) << "\n"
            << "canonical:  " << OneLine(rule->canonical()) << "\n"
            << "created:    "
            << absl::FormatTime(
                   absl::RFC3339_sec,
                   absl::FromUnixSeconds(rule->created_at().seconds()),
                   absl::UTCTimeZone())
            << std::endl;
  return kExitOk;
}

int RulesRemove(const std::vector<std::string>& args) {
  CommandArgs cmd =
      ParseCommandArgs(args, {}, "usage: newswatch rules rm ID\n");
  if (cmd.exit_code >= 0) return cmd.exit_code;
  if (cmd.parsed.positional.size() != 1) {
    return UsageError("rules rm takes one rule ID", kRulesUsage);
  }
  auto client = ConnectOrReport(cmd.parsed);
  if (client == nullptr) return kExitFailure;
  const std::string& id = cmd.parsed.positional[0];
  absl::Status status = client->DeleteRule(id);
  if (!status.ok()) return Fail("delete rule " + id, status);
  std::cout << "deleted " << id << std::endl;
  return kExitOk;
}

int RulesValidate(const std::vector<std::string>& args) {
  CommandArgs cmd =
      ParseCommandArgs(args, {}, "usage: newswatch rules validate 'RULE'\n");
  if (cmd.exit_code >= 0) return cmd.exit_code;
  if (cmd.parsed.positional.size() != 1) {
    return UsageError("rules validate takes one RULE", kRulesUsage);
  }
  auto client = ConnectOrReport(cmd.parsed);
  if (client == nullptr) return kExitFailure;
  const std::string& query = cmd.parsed.positional[0];
  absl::StatusOr<v1::ValidateRuleResponse> verdict =
      client->ValidateRule(query);
  if (!verdict.ok()) return Fail("validate rule", verdict.status());
  if (!verdict->valid()) return ReportInvalidRule(query, *verdict);
  std::cout << "ok: " << verdict->canonical() << std::endl;
  for (const std::string& w : verdict->warnings())
    std::cout << "warning: " << w << "\n";
  return kExitOk;
}

int RulesTest(const std::vector<std::string>& args) {
  CommandArgs cmd = ParseCommandArgs(
      args,
      {{"since", "DURATION", "articles stored in this last span (default 7d)"},
       {"limit", "N", "matches to print, newest first (default 10)"}},
      "usage: newswatch rules test [--since 7d] [--limit N] 'RULE'\n");
  if (cmd.exit_code >= 0) return cmd.exit_code;
  const ParsedArgs& a = cmd.parsed;
  if (a.positional.size() != 1)
    return UsageError("rules test takes one RULE", kRulesUsage);
  v1::PreviewRuleRequest request;
  request.set_query(a.positional[0]);
  const std::string since = a.Has("since") ? a.Get("since") : "7d";
  absl::StatusOr<absl::Duration> window = base::ParseHumanDuration(since);
  if (!window.ok()) {
    return UsageError(absl::StrCat("--since: ", window.status().message()),
                      kRulesUsage);
  }
  request.mutable_since()->set_seconds(absl::ToInt64Seconds(*window));
  uint32_t limit = 10;
  if (a.Has("limit") && !absl::SimpleAtoi(a.Get("limit"), &limit))
    return UsageError("--limit must be a number", kRulesUsage);
  request.set_limit(limit);
  auto client = ConnectOrReport(a);
  if (client == nullptr) return kExitFailure;
  absl::StatusOr<v1::PreviewRuleResponse> r = client->PreviewRule(request);
  if (!r.ok()) return Fail("test rule", r.status());
  std::cout << r->matched() << " matches among " << r->scanned()
            << " articles of the last " << since << " (scanned in "
            << absl::StrFormat("%.2f", r->seconds()) << " s"
            << (r->truncated() ? "; stopped early, older ones not scanned" : "")
            << ")\n";
  for (const v1::Alert& s : r->samples())
    std::cout << "  " << s.article_id() << "\t" << s.title() << "\n";
  for (const std::string& w : r->warnings())
    std::cout << "warning: " << w << "\n";
  std::cout << std::flush;
  return kExitOk;
}

int RulesEdit(const std::vector<std::string>& args) {
  CommandArgs cmd = ParseCommandArgs(
      args,
      {{"query", "RULE", "the new rule text"},
       {"label", "L", "the new label (\"\" clears it)"}},
      "usage: newswatch rules edit ID [--query 'RULE'] [--label L]\n");
  if (cmd.exit_code >= 0) return cmd.exit_code;
  const ParsedArgs& a = cmd.parsed;
  if (a.positional.size() != 1 || (!a.Has("query") && !a.Has("label"))) {
    return UsageError("rules edit takes one rule ID and --query and/or --label",
                      kRulesUsage);
  }
  v1::UpdateRuleRequest request;
  request.set_id(a.positional[0]);
  if (a.Has("query")) request.set_query(a.Get("query"));
  if (a.Has("label")) request.set_label(a.Get("label"));
  auto client = ConnectOrReport(a);
  if (client == nullptr) return kExitFailure;
  absl::StatusOr<v1::WatchRule> rule = client->UpdateRule(request);
  if (!rule.ok()) return Fail("edit rule", rule.status());
  std::cout << rule->id() << "\t" << rule->canonical() << std::endl;
  return kExitOk;
}

}  // namespace

int RunRules(const std::vector<std::string>& args) {
  // Global flags (--server, --token, ...) may come before the sub-command word.
  std::vector<std::string> rest;
  std::string sub;
  for (size_t i = 0; i < args.size(); ++i) {
    if (sub.empty() && !args[i].empty() && args[i][0] != '-') {
      sub = args[i];
      continue;
    }
    rest.push_back(args[i]);
    if (sub.empty() && IsGlobalValueFlag(args[i]) && i + 1 < args.size()) {
      rest.push_back(args[++i]);
    }
  }
  if (sub == "add") return RulesAdd(rest);
  if (sub == "list" || sub == "ls") return RulesList(rest);
  if (sub == "get" || sub == "show") return RulesGet(rest);
  if (sub == "rm" || sub == "delete") return RulesRemove(rest);
  if (sub == "validate") return RulesValidate(rest);
  if (sub == "test") return RulesTest(rest);
  if (sub == "edit") return RulesEdit(rest);
  if (sub == "import") return RunRulesImport(rest);
  if (sub == "export") return RunRulesExport(rest);
  if (sub.empty()) {
    for (const std::string& arg : rest) {
      if (arg == "-h" || arg == "--help") {
        std::cout << kRulesUsage;
        return kExitOk;
      }
    }
    return UsageError("rules needs a sub-command", kRulesUsage);
  }
  return UsageError("unknown rules sub-command '" + sub + "'", kRulesUsage);
}

}  // namespace nw::client::cli
