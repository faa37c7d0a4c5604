// newswatch hooks add|list|rm|resume and newswatch email set|get|off: alert
// delivery by webhook and e-mail (DeliveryService).
#include <iostream>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "client/cli/cli_common.h"
#include "client/cli/commands.h"
#include "client/lib/delivery_client.h"
#include "client/lib/text_render.h"
#include "server/base/read_file.h"

namespace nw::client::cli {
namespace {

constexpr char kHooksUsage[] =
    "usage:\n"
    "  newswatch hooks add --subscriber S [--secret-from-file F] "
    "[--after CURSOR] URL\n"
    "      POST each new alert of S to URL (JSON, signed with HMAC-SHA256 in\n"
    "      the Newswatch-Signature header); without --secret-from-file the\n"
    "      daemon makes a secret and prints it once. --after CURSOR also\n"
    "      delivers the stored alerts after CURSOR (0: all).\n"
    "  newswatch hooks list [--subscriber S]\n"
    "      one webhook a line: id, subscriber, state, delivered/newest "
    "cursor,\n"
    "      url, last error (tab-separated)\n"
    "  newswatch hooks rm ID\n"
    "  newswatch hooks resume ID\n"
    "      a paused webhook retries now, from where it stopped\n";

constexpr char kEmailUsage[] =
    "usage:\n"
    "  newswatch email set --subscriber S --to ADDR[,ADDR...] "
    "--mode immediate|hourly|daily [--after CURSOR]\n"
    "      mail S's alerts: one message each, or an hourly/daily digest by "
    "rule\n"
    "  newswatch email get --subscriber S\n"
    "  newswatch email off --subscriber S\n";

// Splits "sub rest..." with global flags allowed before the sub-command.
std::pair<std::string, std::vector<std::string>> SubCommand(
    const std::vector<std::string>& args) {
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
  return {sub, rest};
}

absl::StatusOr<std::optional<uint64_t>> AfterCursor(const ParsedArgs& a) {
  if (!a.Has("after")) return std::optional<uint64_t>();
  uint64_t cursor = 0;
  if (!absl::SimpleAtoi(a.Get("after"), &cursor)) {
    return absl::InvalidArgumentError("--after takes a cursor number");
  }
  return std::optional<uint64_t>(cursor);
}

std::string StateName(v1::Webhook::State state) {
  switch (state) {
    case v1::Webhook::ACTIVE:
      return "active";
    case v1::Webhook::RETRYING:
      return "retrying";
    case v1::Webhook::PAUSED:
      return "paused";
    default:
      return "unknown";
  }
}

void PrintHook(const v1::Webhook& hook) {
  std::cout << hook.id() << "\t" << hook.subscriber() << "\t"
            << StateName(hook.state()) << "\t" << hook.delivered_cursor() << "/"
            << hook.last_cursor() << "\t" << OneLine(hook.url()) << "\t"
            << (hook.last_error().empty() ? "-" : OneLine(hook.last_error()))
            << "\n";
}

int HooksAdd(const std::vector<std::string>& args) {
  CommandArgs cmd = ParseCommandArgs(
      args,
      {{"subscriber", "S", "whose alerts (required)"},
       {"secret-from-file", "F",
        "the signing secret, read from F (trailing newline dropped)"},
       {"after", "CURSOR", "also deliver the stored alerts after CURSOR"}},
      kHooksUsage);
  if (cmd.exit_code >= 0) return cmd.exit_code;
  const ParsedArgs& a = cmd.parsed;
  if (a.positional.size() != 1 || a.Get("subscriber").empty()) {
    return UsageError("hooks add needs --subscriber and one URL", kHooksUsage);
  }
  absl::StatusOr<std::optional<uint64_t>> after = AfterCursor(a);
  if (!after.ok()) return UsageError(after.status().message(), kHooksUsage);
  std::string secret;
  if (a.Has("secret-from-file")) {
    absl::StatusOr<std::string> read =
        base::ReadWholeFile(a.Get("secret-from-file"), "the secret file");
    if (!read.ok()) return Fail("hooks add", read.status());
    secret = std::string(absl::StripTrailingAsciiWhitespace(*read));
    if (secret.empty()) {
      return Fail("hooks add",
                  absl::InvalidArgumentError("the secret file is empty"));
    }
  }
  auto client = ConnectOrReport(a);
  if (client == nullptr) return kExitFailure;
  DeliveryClient delivery(*client);
  absl::StatusOr<v1::AddWebhookResponse> added =
      delivery.AddWebhook(a.Get("subscriber"), a.positional[0], secret, *after);
  if (!added.ok()) return Fail("add webhook", added.status());
  std::cout << added->webhook().id() << "\t" << added->webhook().url() << "\n";
  if (!added->generated_secret().empty()) {
    std::cout << "secret: " << added->generated_secret()
              << "  (shown once: give it to the receiver to check "
                 "Newswatch-Signature)\n";
  }
  std::cout << std::flush;
  return kExitOk;
}

int HooksList(const std::vector<std::string>& args) {
  CommandArgs cmd = ParseCommandArgs(
      args, {{"subscriber", "S", "only this subscriber's webhooks"}},
      kHooksUsage);
  if (cmd.exit_code >= 0) return cmd.exit_code;
  if (!cmd.parsed.positional.empty()) {
    return UsageError("hooks list takes no arguments", kHooksUsage);
  }
  auto client = ConnectOrReport(cmd.parsed);
  if (client == nullptr) return kExitFailure;
  DeliveryClient delivery(*client);
  absl::StatusOr<std::vector<v1::Webhook>> hooks =
      delivery.ListWebhooks(cmd.parsed.Get("subscriber"));
  if (!hooks.ok()) return Fail("list webhooks", hooks.status());
  for (const v1::Webhook& hook : *hooks) PrintHook(hook);
  std::cout << std::flush;
  return kExitOk;
}

int HooksById(const std::vector<std::string>& args, bool resume) {
  CommandArgs cmd = ParseCommandArgs(args, {}, kHooksUsage);
  if (cmd.exit_code >= 0) return cmd.exit_code;
  if (cmd.parsed.positional.size() != 1) {
    return UsageError("give one webhook ID", kHooksUsage);
  }
  auto client = ConnectOrReport(cmd.parsed);
  if (client == nullptr) return kExitFailure;
  DeliveryClient delivery(*client);
  const std::string& id = cmd.parsed.positional[0];
  if (resume) {
    absl::StatusOr<v1::Webhook> hook = delivery.ResumeWebhook(id);
    if (!hook.ok()) return Fail("resume webhook " + id, hook.status());
    std::cout << "resumed " << id << std::endl;
    return kExitOk;
  }
  absl::Status status = delivery.RemoveWebhook(id);
  if (!status.ok()) return Fail("remove webhook " + id, status);
  std::cout << "removed " << id << std::endl;
  return kExitOk;
}

void PrintEmail(const v1::EmailSettings& s) {
  std::string mode = v1::EmailSettings::Mode_Name(s.mode());
  absl::AsciiStrToLower(&mode);
  std::cout << "subscriber: " << s.subscriber() << "\n"
            << "to:         " << absl::StrJoin(s.recipients(), ", ") << "\n"
            << "mode:       " << mode << "\n"
            << "delivered:  " << s.delivered_cursor() << " of "
            << s.last_cursor() << "\n"
            << "last error: "
            << (s.last_error().empty() ? "-" : OneLine(s.last_error()))
            << std::endl;
}

int EmailCommand(const std::string& sub, const std::vector<std::string>& args) {
  std::vector<FlagSpec> specs = {
      {"subscriber", "S", "whose alerts (required)"}};
  if (sub == "set") {
    specs.push_back({"to", "ADDR[,ADDR]", "recipients (required)"});
    specs.push_back({"mode", "MODE", "immediate, hourly or daily (required)"});
    specs.push_back(
        {"after", "CURSOR", "also mail stored alerts after CURSOR"});
  }
  CommandArgs cmd = ParseCommandArgs(args, specs, kEmailUsage);
  if (cmd.exit_code >= 0) return cmd.exit_code;
  const ParsedArgs& a = cmd.parsed;
  if (a.Get("subscriber").empty() || !a.positional.empty()) {
    return UsageError("email " + sub + " needs --subscriber and no arguments",
                      kEmailUsage);
  }
  v1::EmailSettings settings;
  settings.set_subscriber(a.Get("subscriber"));
  absl::StatusOr<std::optional<uint64_t>> after = AfterCursor(a);
  if (!after.ok()) return UsageError(after.status().message(), kEmailUsage);
  if (sub == "set") {
    std::string mode = absl::AsciiStrToUpper(a.Get("mode"));
    v1::EmailSettings::Mode parsed;
    if (!v1::EmailSettings::Mode_Parse(mode, &parsed) ||
        parsed == v1::EmailSettings::MODE_UNSPECIFIED) {
      return UsageError("--mode must be immediate, hourly or daily",
                        kEmailUsage);
    }
    settings.set_mode(parsed);
    for (absl::string_view to :
         absl::StrSplit(a.Get("to"), ',', absl::SkipWhitespace())) {
      settings.add_recipients(std::string(absl::StripAsciiWhitespace(to)));
    }
    if (settings.recipients().empty()) {
      return UsageError("email set needs --to", kEmailUsage);
    }
  }
  auto client = ConnectOrReport(a);
  if (client == nullptr) return kExitFailure;
  DeliveryClient delivery(*client);
  absl::StatusOr<v1::EmailSettings> out =
      sub == "get" ? delivery.GetEmailSettings(settings.subscriber())
                   : delivery.SetEmailSettings(settings, *after);
  if (!out.ok()) return Fail("email " + sub, out.status());
  if (sub == "off") {
    std::cout << "e-mail off for " << settings.subscriber() << std::endl;
  } else {
    PrintEmail(*out);
  }
  return kExitOk;
}

bool WantsHelp(const std::vector<std::string>& rest) {
  for (const std::string& arg : rest) {
    if (arg == "-h" || arg == "--help") return true;
  }
  return false;
}

}  // namespace

int RunHooks(const std::vector<std::string>& args) {
  auto [sub, rest] = SubCommand(args);
  if (sub == "add") return HooksAdd(rest);
  if (sub == "list" || sub == "ls") return HooksList(rest);
  if (sub == "rm" || sub == "remove") return HooksById(rest, false);
  if (sub == "resume") return HooksById(rest, true);
  if (sub.empty() && WantsHelp(rest)) {
    std::cout << kHooksUsage;
    return kExitOk;
  }
  return UsageError(sub.empty() ? "hooks needs a sub-command"
                                : "unknown hooks sub-command '" + sub + "'",
                    kHooksUsage);
}

int RunEmail(const std::vector<std::string>& args) {
  auto [sub, rest] = SubCommand(args);
  if (sub == "set" || sub == "get" || sub == "off") {
    return EmailCommand(sub, rest);
  }
  if (sub.empty() && WantsHelp(rest)) {
    std::cout << kEmailUsage;
    return kExitOk;
  }
  return UsageError(sub.empty() ? "email needs a sub-command"
                                : "unknown email sub-command '" + sub + "'",
                    kEmailUsage);
}

}  // namespace nw::client::cli
