// File: client/cli/flags.h
//
// A small per-command flag parser: "--name=value", "--name value", "--bool",
// "--" ends the flags, "-" is a positional argument, "-h"/"--help" asks for
// help. Each command declares its flags as a FlagSpec list.
#ifndef NW_CLIENT_CLI_FLAGS_H_
#define NW_CLIENT_CLI_FLAGS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace nw::client::cli {

struct FlagSpec {
  std::string name;        // without the leading "--"
  std::string value_name;  // empty for a boolean flag
  std::string help;
};

class ParsedArgs {
 public:
  bool help = false;
  std::vector<std::string> positional;
  std::map<std::string, std::string> values;  // booleans: "true"/"false"

  bool Has(absl::string_view name) const;
  std::string Get(absl::string_view name,
                  absl::string_view fallback = "") const;
  bool GetBool(absl::string_view name) const;
};

// InvalidArgument for an unknown flag, a missing value or a bad boolean.
absl::StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                                     const std::vector<FlagSpec>& specs);

// "  --name VALUE   help" lines for a usage text.
std::string FlagHelp(const std::vector<FlagSpec>& specs);

}  // namespace nw::client::cli

#endif  // NW_CLIENT_CLI_FLAGS_H_
