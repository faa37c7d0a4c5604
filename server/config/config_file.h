// File: server/config/config_file.h
//
// The daemon's TOML config file. Its keys are the names of newswatchd's
// flags (`max_streams = 20000`, `retention = "30d"`), so every setting has
// one name, one parser and one default, documented once in
// deploy/newswatch.example.toml. The file is applied before the command line
// is parsed, so a flag given there overrides it.
#ifndef NW_SERVER_CONFIG_CONFIG_FILE_H_
#define NW_SERVER_CONFIG_CONFIG_FILE_H_

#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"

namespace nw::config {

// Reads the TOML file at `path` and sets, through absl's flag reflection,
// each flag it names. Call before absl::ParseCommandLine (see
// FindConfigFlag) so that the command line wins.
// `settings`: the flag names a file may set (any other key is an error).
// Values: TOML strings, integers and booleans, parsed by the flag's own
// parser (durations as strings: "15s", "500ms").
//
// Errors (nothing is set when any key is wrong):
//   NotFound / PermissionDenied: the file cannot be read.
//   InvalidArgument "PATH:LINE:COL: ...": TOML syntax; an unknown key (with
//     the closest known name); a table or array; a value the flag rejects.
absl::Status ApplyConfigFile(const std::string& path,
                             const absl::flat_hash_set<std::string>& settings);

// The value of `--<name>=V` or `--<name> V` in argv (last one wins), or ""
// when absent: read before absl parses the command line.
std::string FindFlagValue(int argc, char** argv, const std::string& name);

}  // namespace nw::config

#endif  // NW_SERVER_CONFIG_CONFIG_FILE_H_
