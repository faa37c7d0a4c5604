// newswatch admin checkpoint DIR | newswatch admin cluster
#include <iostream>

#include "absl/strings/str_format.h"
#include "client/cli/cli_common.h"
#include "client/cli/commands.h"

namespace nw::client::cli {

int RunAdmin(const std::vector<std::string>& args) {
  static constexpr char kUsage[] =
      "usage: newswatch admin checkpoint DIR\n"
      "       newswatch admin cluster\n"
      "cluster: the cluster's matcher nodes and each partition's owner,\n"
      "checkpoint, lag (articles not yet matched) and rule count.\n"
      "checkpoint: "
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
  const bool cluster = words.size() == 1 && words[0] == "cluster";
  if (!cluster && (words.size() != 2 || words[0] != "checkpoint")) {
    return UsageError("admin takes: checkpoint DIR, or cluster", kUsage);
  }
  auto client = ConnectOrReport(cmd.parsed);
  if (client == nullptr) return kExitFailure;
  if (cluster) {
    absl::StatusOr<v1::ClusterStatus> status = client->GetClusterStatus();
    if (!status.ok()) return Fail("admin cluster", status.status());
    std::cout << "answered by " << status->node_id() << " (role "
              << status->role() << "); newest article "
              << status->last_article() << "\nmatcher nodes:";
    for (const std::string& node : status->nodes()) std::cout << " " << node;
    std::cout << "\npartition  owner                 checkpoint  lag  rules\n";
    for (const v1::PartitionStatus& p : status->partitions()) {
      std::cout << absl::StrFormat("%9u  %-20s  %10u  %3u  %5u\n",
                                   p.partition(),
                                   p.owner().empty() ? "-" : p.owner(),
                                   p.checkpoint(), p.lag(), p.rules());
    }
    return kExitOk;
  }
  absl::StatusOr<v1::CreateCheckpointResponse> made =
      client->CreateCheckpoint(words[1]);
  if (!made.ok()) return Fail("admin checkpoint " + words[1], made.status());
  std::cout << "checkpoint " << made->directory()
            << ": articles up to sequence " << made->last_sequence() << ", "
            << made->bytes() << " bytes" << std::endl;
  return kExitOk;
}

}  // namespace nw::client::cli
