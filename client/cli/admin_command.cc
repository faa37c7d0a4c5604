// newswatch admin checkpoint DIR
#include <iostream>

#include "client/cli/cli_common.h"
#include "client/cli/commands.h"

namespace nw::client::cli {

int RunAdmin(const std::vector<std::string>& args) {
  static constexpr char kUsage[] =
      "usage: newswatch admin checkpoint DIR\n"
      "Writes a consistent copy of the daemon's data dir to DIR, an absolute "
      "path\n"
      "on the daemon's host that must not exist yet (online backup; restore "
      "by\n"
      "starting newswatchd with --data-dir pointing at a copy of it). Needs "
      "an\n"
      "admin token when the daemon has a token file.\n";
  CommandArgs cmd = ParseCommandArgs(args, {}, kUsage);
  if (cmd.exit_code >= 0) return cmd.exit_code;
  const std::vector<std::string>& words = cmd.parsed.positional;
  if (words.size() != 2 || words[0] != "checkpoint") {
    return UsageError("admin takes: checkpoint DIR", kUsage);
  }
  auto client = ConnectOrReport(cmd.parsed);
  if (client == nullptr) return kExitFailure;
  absl::StatusOr<v1::CreateCheckpointResponse> made =
      client->CreateCheckpoint(words[1]);
  if (!made.ok()) return Fail("admin checkpoint " + words[1], made.status());
  std::cout << "checkpoint " << made->directory()
            << ": articles up to sequence " << made->last_sequence() << ", "
            << made->bytes() << " bytes" << std::endl;
  return kExitOk;
}

}  // namespace nw::client::cli
