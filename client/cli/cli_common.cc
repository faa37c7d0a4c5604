#include "client/cli/cli_common.h"

#include <iostream>
#include <utility>

#include "absl/strings/str_cat.h"

namespace nw::client::cli {

FlagSpec ServerFlag() {
  return {"server", "HOST:PORT",
          absl::StrCat("newswatchd address (default ", kDefaultServer, ")")};
}

int Fail(absl::string_view what, const absl::Status& status) {
  std::cerr << "newswatch: " << what << ": " << status.message() << std::endl;
  return kExitFailure;
}

int UsageError(absl::string_view message, absl::string_view usage) {
  std::cerr << "newswatch: " << message << "\n" << usage;
  return kExitUsage;
}

CommandArgs ParseCommandArgs(const std::vector<std::string>& args,
                             std::vector<FlagSpec> specs,
                             absl::string_view usage) {
  specs.push_back(ServerFlag());
  const std::string full_usage =
      absl::StrCat(usage, specs.empty() ? "" : "\nflags:\n", FlagHelp(specs));
  CommandArgs result;
  absl::StatusOr<ParsedArgs> parsed = ParseArgs(args, specs);
  if (!parsed.ok()) {
    result.exit_code = UsageError(parsed.status().message(), full_usage);
    return result;
  }
  if (parsed->help) {
    std::cout << full_usage;
    result.exit_code = kExitOk;
    return result;
  }
  result.parsed = *std::move(parsed);
  return result;
}

std::unique_ptr<NewswatchClient> ConnectOrReport(const ParsedArgs& args) {
  ClientOptions options;
  options.server = args.Get("server", kDefaultServer);
  absl::StatusOr<std::unique_ptr<NewswatchClient>> client =
      NewswatchClient::Connect(options);
  if (!client.ok()) {
    Fail("connect", client.status());
    return nullptr;
  }
  return *std::move(client);
}

}  // namespace nw::client::cli
