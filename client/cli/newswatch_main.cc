// newswatch: the command-line client of newswatchd.
//   newswatch [--server HOST:PORT] [TLS and token flags] COMMAND [ARGS...]
// Global flags before the command are passed on to it.
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "client/cli/cli_common.h"
#include "client/cli/commands.h"
#include "server/base/build_info.h"

namespace nw::client::cli {
namespace {

constexpr char kUsage[] =
    "usage: newswatch [--server HOST:PORT] [--tls-ca F] [--token T] COMMAND "
    "[ARGS...]\n"
    "\n"
    "commands:\n"
    "  submit [FILE.jsonl ...]     submit articles (JSON Lines; stdin when no\n"
    "                              file or \"-\")\n"
    "  rules add --subscriber S [--label L] [--backfill 7d] RULE\n"
    "  rules list [--subscriber S]\n"
    "  rules get ID                one rule, with its canonical form\n"
    "  rules rm ID\n"
    "  rules validate RULE\n"
    "  rules test [--since 7d] RULE\n"
    "  rules edit ID [--query RULE] [--label L]\n"
    "  rules import [--subscriber S] [--keep-ids] FILE.jsonl[.gz]\n"
    "  rules export [--subscriber S] [--out FILE]\n"
    "  watch --subscriber S [--from CURSOR] [--cursor-file F] [--live] "
    "[--json]\n"
    "                              print a subscriber's alerts as they come;\n"
    "                              reconnects and resumes after failures\n"
    "  get ARTICLE_ID              print a stored article and its story as "
    "JSON\n"
    "  settings get|set SUBSCRIBER a subscriber's settings "
    "(--collapse-stories=on|off)\n"
    "  hooks add --subscriber S [--secret-from-file F] URL\n"
    "  hooks list [--subscriber S] | hooks rm ID | hooks resume ID\n"
    "                              POST alerts to webhooks (signed JSON)\n"
    "  email set --subscriber S --to ADDR --mode immediate|hourly|daily\n"
    "  email get|off --subscriber S\n"
    "                              mail alerts or digests (--smtp-relay)\n"
    "  token new --role ROLE [--subscriber S] --name NAME\n"
    "                              make a bearer token and its token-file "
    "line\n"
    "  admin checkpoint DIR        online backup of the data dir to DIR (on "
    "the\n"
    "                              daemon's host; admin token)\n"
    "  version                     version, build type and commit (also "
    "--version)\n"
    "\n"
    "global flags (also accepted after the command):\n"
    "  --server HOST:PORT          newswatchd address (default "
    "127.0.0.1:7373)\n"
    "  --tls                       use TLS, trusting the system's CA roots\n"
    "  --tls-ca FILE               use TLS; PEM CA that signed the daemon's "
    "cert\n"
    "  --tls-cert FILE, --tls-key FILE\n"
    "                              client certificate and key (mTLS)\n"
    "  --token TOKEN               bearer token (default: $NEWSWATCH_TOKEN)\n"
    "\n"
    "Run 'newswatch COMMAND --help' for the flags of a command.\n";

int Main(int argc, char** argv) {
  std::vector<std::string> globals;
  int i = 1;
  // Global flags before the command word.
  for (; i < argc && absl::StartsWith(argv[i], "-"); ++i) {
    const std::string arg = argv[i];
    if (arg == "-h" || arg == "--help" || arg == "-help") {
      std::cout << kUsage;
      return kExitOk;
    }
    if (arg == "--version" || arg == "-version") {
      std::cout << base::VersionLine("newswatch") << "\n";
      return kExitOk;
    }
    if (IsGlobalValueFlag(arg) && i + 1 < argc) {
      globals.push_back(arg);
      globals.push_back(argv[++i]);
    } else if (IsGlobalValueFlag(arg.substr(0, arg.find('='))) ||
               arg == "--tls" ||  // --tls: boolean
               absl::StartsWith(arg, "--tls=")) {
      globals.push_back(arg);
    } else {
      return UsageError("unknown global flag " + arg, kUsage);
    }
  }
  if (i >= argc) return UsageError("no command given", kUsage);
  const std::string command = argv[i];
  std::vector<std::string> args = globals;
  args.insert(args.end(), argv + i + 1, argv + argc);
  if (command == "submit") return RunSubmit(args);
  if (command == "rules") return RunRules(args);
  if (command == "watch") return RunWatch(args);
  if (command == "get") return RunGet(args);
  if (command == "token") return RunToken(args);
  if (command == "admin") return RunAdmin(args);
  if (command == "settings") return RunSettings(args);
  if (command == "version") {
    std::cout << base::VersionLine("newswatch") << "\n";
    return kExitOk;
  }
  if (command == "hooks") return RunHooks(args);
  if (command == "email") return RunEmail(args);
  if (command == "help") {
    std::cout << kUsage;
    return kExitOk;
  }
  return UsageError("unknown command '" + command + "'", kUsage);
}

}  // namespace
}  // namespace nw::client::cli

int main(int argc, char** argv) { return nw::client::cli::Main(argc, argv); }
