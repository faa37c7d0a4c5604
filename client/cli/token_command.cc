// newswatch token new --role ROLE [--subscriber S] --name NAME
//
// Makes a bearer token for newswatchd. The token itself is printed once and
// never stored; the daemon's token file gets only its SHA-256 (the second
// non-comment line printed), so the output can be split between the person
// who gets the token and the operator who edits the token file.
#include <iostream>

#include "absl/strings/str_cat.h"
#include "client/cli/cli_common.h"
#include "client/cli/commands.h"
#include "server/auth/principal.h"
#include "server/auth/token_hash.h"
#include "server/auth/token_table.h"

namespace nw::client::cli {
namespace {

constexpr char kUsage[] =
    "usage: newswatch token new --role ROLE [--subscriber S] --name NAME\n"
    "Makes a random bearer token and prints it, then the line to append to\n"
    "newswatchd's token file (--token-file; format in\n"
    "deploy/newswatch.tokens.example). The file stores only the token's\n"
    "SHA-256, so keep the token: it cannot be recovered. Restart newswatchd\n"
    "to load new lines.\n"
    "Roles: ingest (submit articles), analyst (one subscriber's rules and\n"
    "alerts; needs --subscriber), admin (everything).\n";

}  // namespace

int RunToken(const std::vector<std::string>& args) {
  CommandArgs cmd = ParseCommandArgs(
      args,
      {{"role", "ROLE", "ingest, analyst or admin (required)"},
       {"subscriber", "S",
        "the analyst's subscriber (analysts only; required for them)"},
       {"name", "NAME", "who or what holds the token, for logs (required)"}},
      kUsage);
  if (cmd.exit_code >= 0) return cmd.exit_code;
  const ParsedArgs& a = cmd.parsed;
  if (a.positional.size() != 1 || a.positional[0] != "new") {
    return UsageError("token takes the subcommand 'new'", kUsage);
  }
  std::optional<auth::Role> role = auth::ParseRole(a.Get("role"));
  if (!role)
    return UsageError("--role must be ingest, analyst or admin", kUsage);
  auth::Principal principal{
      .name = a.Get("name"), .role = *role, .subscriber = a.Get("subscriber")};
  if ((*role == auth::Role::kAnalyst) == principal.subscriber.empty()) {
    return UsageError(
        "--subscriber is required for analyst tokens and only for them",
        kUsage);
  }
  if (absl::Status s = auth::TokenTable::CheckPrincipal(principal); !s.ok()) {
    return UsageError(absl::StrCat("--name/--subscriber: ", s.message()),
                      kUsage);
  }
  absl::StatusOr<std::string> token = auth::NewToken();
  if (!token.ok()) return Fail("token new", token.status());
  const std::string line =
      auth::TokenTable::FormatLine(auth::Sha256Hex(*token), principal);
  std::cout
      << "# The token for " << principal.name
      << " (shown only this once; pass it as --token or NEWSWATCH_TOKEN):\n"
      << *token << "\n"
      << "# Append this line to newswatchd's --token-file, then "
         "`kill -HUP <newswatchd pid>` (or `systemctl reload newswatchd`) "
         "puts it in force without a restart:\n"
      << line << std::endl;
  return kExitOk;
}

}  // namespace nw::client::cli
