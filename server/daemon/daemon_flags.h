// File: server/daemon/daemon_flags.h
//
// newswatchd's flags. Each flag's default is the DaemonConfig default (one
// source: daemon_config.h), its name is the config-file key
// (server/config/config_file.h), and deploy/newswatch.example.toml lists
// every one with its default (tests/deploy/example_config_test.py checks
// that). Durations are typed flags that take what people write: "15s",
// "500ms", "12h", "7d".
#ifndef NW_SERVER_DAEMON_DAEMON_FLAGS_H_
#define NW_SERVER_DAEMON_DAEMON_FLAGS_H_

#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/daemon/daemon_config.h"

namespace nw::daemon {

// The config a daemon starts with, read from the parsed flags.
// InvalidArgument naming the flag for a value that does not fit (e.g. an
// unknown --role).
absl::StatusOr<DaemonConfig> DaemonConfigFromFlags();

// Names of the flags of this file: what --help lists and a config file may
// set (--config itself excepted).
absl::flat_hash_set<std::string> DaemonSettings();

// True for this file's name, as absl reports a flag's file.
bool IsDaemonFlagsFile(absl::string_view file);

}  // namespace nw::daemon

#endif  // NW_SERVER_DAEMON_DAEMON_FLAGS_H_
