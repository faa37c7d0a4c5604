// newswatch settings get SUBSCRIBER
// newswatch settings set SUBSCRIBER --collapse-stories=on|off
#include <iostream>

#include "client/cli/cli_common.h"
#include "client/cli/commands.h"

namespace nw::client::cli {
namespace {

void Print(const v1::SubscriberSettings& s) {
  std::cout << "subscriber " << s.subscriber() << "\ncollapse_stories "
            << (s.collapse_stories() ? "on" : "off") << "\n";
}

}  // namespace

int RunSettings(const std::vector<std::string>& args) {
  static constexpr char kUsage[] =
      "usage: newswatch settings get SUBSCRIBER\n"
      "       newswatch settings set SUBSCRIBER --collapse-stories=on|off\n"
      "A subscriber's alerting settings. collapse_stories (default on): a\n"
      "near-duplicate of a story the subscriber was already alerted on within\n"
      "7 days creates no alert (newswatch get ARTICLE_ID lists the story).\n";
  CommandArgs cmd = ParseCommandArgs(
      args,
      {{.name = "collapse-stories",
        .value_name = "on|off",
        .help = "one alert per story (on) or per article (off)"}},
      kUsage);
  if (cmd.exit_code >= 0) return cmd.exit_code;
  const std::vector<std::string>& pos = cmd.parsed.positional;
  if (pos.size() != 2 || (pos[0] != "get" && pos[0] != "set")) {
    return UsageError("settings takes get|set and a SUBSCRIBER", kUsage);
  }
  v1::SubscriberSettings update;
  update.set_subscriber(pos[1]);
  if (pos[0] == "set") {
    if (!cmd.parsed.Has("collapse-stories"))
      return UsageError("settings set: nothing to change", kUsage);
    const std::string v = cmd.parsed.Get("collapse-stories");
    if (v != "on" && v != "off") {
      return UsageError("--collapse-stories takes on or off, not '" + v + "'",
                        kUsage);
    }
    update.set_collapse_stories(v == "on");
  } else if (cmd.parsed.Has("collapse-stories")) {
    return UsageError("settings get takes no --collapse-stories", kUsage);
  }
  auto client = ConnectOrReport(cmd.parsed);
  if (client == nullptr) return kExitFailure;
  absl::StatusOr<v1::SubscriberSettings> result =
      pos[0] == "set" ? client->UpdateSubscriberSettings(update)
                      : client->GetSubscriberSettings(pos[1]);
  if (!result.ok())
    return Fail("settings " + pos[0] + " " + pos[1], result.status());
  Print(*result);
  return kExitOk;
}

}  // namespace nw::client::cli
