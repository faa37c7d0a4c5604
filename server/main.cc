// newswatchd: the newswatch daemon. Flags -> DaemonConfig -> Daemon; then
// waits for SIGINT/SIGTERM and shuts down cleanly; SIGHUP reloads the token
// file.
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "server/base/build_info.h"
#include "server/config/config_file.h"
#include "server/daemon/daemon.h"
#include "server/daemon/daemon_flags.h"

// Accepts --data-dir as well as absl's --data_dir: flag names are rewritten
// from dashes to underscores before parsing.
std::vector<char*> NormalizeFlagNames(int argc, char** argv,
                                      std::vector<std::string>& storage) {
  storage.assign(argv, argv + argc);
  for (std::string& arg : storage) {
    if (arg.rfind("--", 0) != 0) continue;
    const size_t end = std::min(arg.find('='), arg.size());
    std::replace(arg.begin() + 2, arg.begin() + end, '-', '_');
  }
  std::vector<char*> out;
  for (std::string& arg : storage) out.push_back(arg.data());
  return out;
}

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "stores articles, matches watch rules, streams alerts.\n"
      "Every flag can also be set in a TOML file given with --config "
      "(deploy/newswatch.example.toml).");
  // --help lists the daemon's flags (absl's default looks for a file named
  // after the program).
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = nw::daemon::IsDaemonFlagsFile;
  // --version: version, build type, commit.
  usage.version_string = [] {
    return nw::base::VersionLine("newswatchd") + "\n";
  };
  // --help names files from the repository root, not the build machine's
  // checkout ("Flags from server/main.cc").
  usage.normalize_filename = [](absl::string_view file) {
    const size_t at = file.rfind("server/");
    return std::string(at == absl::string_view::npos ? file : file.substr(at));
  };
  absl::SetFlagsUsageConfig(usage);
  std::vector<std::string> arg_storage;
  std::vector<char*> args = NormalizeFlagNames(argc, argv, arg_storage);
  // The config file first, so that flags on the command line override it.
  if (const std::string path = nw::config::FindFlagValue(
          static_cast<int>(args.size()), args.data(), "config");
      !path.empty()) {
    if (absl::Status s =
            nw::config::ApplyConfigFile(path, nw::daemon::DaemonSettings());
        !s.ok()) {
      std::cerr << "newswatchd: --config: " << s.message() << "\n";
      return 2;
    }
  }
  absl::ParseCommandLine(static_cast<int>(args.size()), args.data());

  // Block the signals before any thread starts, then wait for them here:
  // SIGINT/SIGTERM stop, SIGHUP reloads the token file.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  absl::StatusOr<nw::daemon::DaemonConfig> flags =
      nw::daemon::DaemonConfigFromFlags();
  if (!flags.ok()) {
    std::cerr << "newswatchd: " << flags.status().message() << "\n";
    return 2;
  }
  const nw::daemon::DaemonConfig& config = *flags;

  absl::StatusOr<std::unique_ptr<nw::daemon::Daemon>> daemon =
      nw::daemon::Daemon::Start(config);
  if (!daemon.ok()) {
    std::cerr << "newswatchd: cannot start: " << daemon.status() << "\n";
    return 1;
  }
  const std::string host = config.listen.substr(0, config.listen.rfind(':'));
  // Tests and scripts read this line to learn the port.
  std::cout << "newswatchd listening on " << host << ":" << (*daemon)->port()
            << " (data dir " << config.data_dir << ", "
            << (*daemon)->rule_count() << " rules)" << std::endl;
  if ((*daemon)->web_port() != 0) {
    // Tests read this line to learn the console's port.
    const std::string web_host =
        config.web_listen.substr(0, config.web_listen.rfind(':'));
    std::cout << "newswatchd web console at http://"
              << (web_host == "0.0.0.0" || web_host.empty() ? "127.0.0.1"
                                                            : web_host)
              << ":" << (*daemon)->web_port() << "/" << std::endl;
  }

  int signal = 0;
  while (sigwait(&stop_signals, &signal) == 0 && signal == SIGHUP) {
    absl::StatusOr<size_t> tokens = (*daemon)->ReloadTokens();
    if (tokens.ok()) {
      std::cout << "newswatchd: SIGHUP, token file reloaded (" << *tokens
                << " tokens)" << std::endl;
    } else {
      std::cerr << "newswatchd: SIGHUP, token file not reloaded: "
                << tokens.status().message() << std::endl;
    }
  }
  std::cout << "newswatchd: " << (signal == SIGINT ? "SIGINT" : "SIGTERM")
            << ", shutting down" << std::endl;
  (*daemon)->Shutdown();
  daemon->reset();
  std::cout << "newswatchd: stopped" << std::endl;
  return 0;
}
