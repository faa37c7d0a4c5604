// newswatch watch --subscriber S [--from CURSOR] [--live] [--json]
#include <iostream>

#include "absl/strings/numbers.h"
#include "client/cli/cli_common.h"
#include "client/cli/commands.h"
#include "client/lib/alert_format.h"

namespace nw::client::cli {
namespace {

constexpr char kUsage[] =
    "usage: newswatch watch --subscriber S [--from CURSOR] [--live] [--json]\n"
    "Prints the subscriber's stored alerts after CURSOR, then new ones as they\n"
    "come, one a line:\n"
    "  #cursor  published  source  article_id  title  [rule ids]\n"
    "followed by an indented snippet per highlight (the matched words in\n"
    "[brackets]). With --json: one JSON object a line instead.\n";

// Prints one alert, human-readable, with snippets cut from its article.
void PrintHuman(NewswatchClient& client, const v1::Alert& alert) {
  std::cout << FormatAlertLine(alert) << "\n";
  bool any_highlight = false;
  for (const auto& match : alert.matches()) {
    any_highlight = any_highlight || match.highlights_size() > 0;
  }
  if (any_highlight) {
    absl::StatusOr<v1::Article> article = client.GetArticle(alert.article_id());
    if (article.ok()) {
      for (const std::string& line : FormatHighlightLines(alert, *article)) {
        std::cout << line << "\n";
      }
    } else {
      std::cout << "    (no snippets: " << article.status().message() << ")\n";
    }
  }
  std::cout << std::flush;
}

}  // namespace

int RunWatch(const std::vector<std::string>& args) {
  CommandArgs cmd = ParseCommandArgs(
      args,
      {{"subscriber", "S", "whose alerts (required)"},
       {"from", "CURSOR", "start after this cursor (default 0: every alert)"},
       {"live", "", "skip stored alerts; only new ones"},
       {"json", "", "one JSON object per alert"}},
      kUsage);
  if (cmd.exit_code >= 0) return cmd.exit_code;
  const ParsedArgs& a = cmd.parsed;
  if (a.Get("subscriber").empty() || !a.positional.empty()) {
    return UsageError("watch needs --subscriber and no arguments", kUsage);
  }
  v1::SubscribeRequest request;
  request.set_subscriber(a.Get("subscriber"));
  request.set_live_only(a.GetBool("live"));
  if (a.Has("from")) {
    uint64_t cursor = 0;
    if (!absl::SimpleAtoi(a.Get("from"), &cursor)) {
      return UsageError("--from takes a cursor number", kUsage);
    }
    request.set_from_cursor(cursor);
  }
  const bool json = a.GetBool("json");
  auto client = ConnectOrReport(a);
  if (client == nullptr) return kExitFailure;

  absl::Status status = client->Subscribe(
      request, [&](const v1::SubscribeResponse& response) {
        if (!response.has_alert()) return true;  // heartbeats
        if (json) {
          std::cout << FormatAlertJson(response.alert()) << std::endl;
        } else {
          PrintHuman(*client, response.alert());
        }
        return static_cast<bool>(std::cout);  // stop when stdout is gone
      });
  if (!status.ok()) return Fail("watch stream ended", status);
  return kExitOk;
}

}  // namespace nw::client::cli
