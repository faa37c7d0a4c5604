// File: client/cli/cli_common.h
//
// What every `newswatch` command shares: the --server flag, connecting, the
// error line format ("newswatch: <what failed>: <message>") and exit codes.
#ifndef NW_CLIENT_CLI_CLI_COMMON_H_
#define NW_CLIENT_CLI_CLI_COMMON_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/cli/flags.h"
#include "client/lib/newswatch_client.h"

namespace nw::client::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

inline constexpr char kDefaultServer[] = "127.0.0.1:7373";

// The --server flag, accepted by every command.
FlagSpec ServerFlag();

// The connection-security flags, accepted by every command: --tls, --tls-ca,
// --tls-cert, --tls-key, --token.
std::vector<FlagSpec> SecurityFlags();

// True for the flags above and --server, which take a value ("--token T").
bool IsGlobalValueFlag(absl::string_view flag);

// TLS settings and the bearer token from those flags; the token comes from
// --token, else the NEWSWATCH_TOKEN environment variable.
ChannelSecurity SecurityFromArgs(const ParsedArgs& args);

// Prints "newswatch: <what>: <status message>" to stderr; returns kExitFailure.
int Fail(absl::string_view what, const absl::Status& status);

// Prints "newswatch: <message>" and `usage` to stderr; returns kExitUsage.
int UsageError(absl::string_view message, absl::string_view usage);

// Parses `args` against `specs` (plus --server and SecurityFlags()); on --help
// prints `usage` and the flags to stdout, on a bad flag prints them to stderr,
// and sets exit_code: the command then returns it.
struct CommandArgs {
  ParsedArgs parsed;
  int exit_code = -1;  // >= 0: stop and exit with this code
};
CommandArgs ParseCommandArgs(const std::vector<std::string>& args,
                             std::vector<FlagSpec> specs,
                             absl::string_view usage);

// Connects to --server (or the default) with SecurityFromArgs(); prints the
// error itself.
std::unique_ptr<NewswatchClient> ConnectOrReport(const ParsedArgs& args);

}  // namespace nw::client::cli

#endif  // NW_CLIENT_CLI_CLI_COMMON_H_
