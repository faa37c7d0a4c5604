#include "client/cli/flags.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace nw::client::cli {
namespace {

const FlagSpec* FindSpec(const std::vector<FlagSpec>& specs,
                         absl::string_view name) {
  for (const FlagSpec& spec : specs) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

}  // namespace

bool ParsedArgs::Has(absl::string_view name) const {
  return values.find(std::string(name)) != values.end();
}

std::string ParsedArgs::Get(absl::string_view name,
                            absl::string_view fallback) const {
  auto it = values.find(std::string(name));
  return it == values.end() ? std::string(fallback) : it->second;
}

bool ParsedArgs::GetBool(absl::string_view name) const {
  return Get(name, "false") == "true";
}

absl::StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                                     const std::vector<FlagSpec>& specs) {
  ParsedArgs parsed;
  bool flags_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (flags_done || arg == "-" || !absl::StartsWith(arg, "-")) {
      parsed.positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      flags_done = true;
      continue;
    }
    if (arg == "-h" || arg == "--help" || arg == "-help") {
      parsed.help = true;
      continue;
    }
    absl::string_view body(arg);
    body.remove_prefix(absl::StartsWith(body, "--") ? 2 : 1);
    const size_t eq = body.find('=');
    const absl::string_view name = body.substr(0, eq);
    const FlagSpec* spec = FindSpec(specs, name);
    if (spec == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name));
    }
    std::string value;
    if (eq != absl::string_view::npos) {
      value = std::string(body.substr(eq + 1));
    } else if (spec->value_name.empty()) {
      value = "true";
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "flag --", name, " needs a value (", spec->value_name, ")"));
    }
    if (spec->value_name.empty() && value != "true" && value != "false") {
      return absl::InvalidArgumentError(
          absl::StrCat("flag --", name, " takes true or false, not ", value));
    }
    parsed.values[std::string(name)] = value;
  }
  return parsed;
}

std::string FlagHelp(const std::vector<FlagSpec>& specs) {
  std::vector<std::string> heads;
  size_t width = 0;
  for (const FlagSpec& spec : specs) {
    heads.push_back(absl::StrCat(
        "--", spec.name, spec.value_name.empty() ? "" : " ", spec.value_name));
    width = std::max(width, heads.back().size());
  }
  std::string out;
  for (size_t i = 0; i < specs.size(); ++i) {
    absl::StrAppend(&out, "  ", heads[i],
                    std::string(width - heads[i].size() + 3, ' '),
                    specs[i].help, "\n");
  }
  return out;
}

}  // namespace nw::client::cli
