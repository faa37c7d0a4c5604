#include "server/config/config_file.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/base/closest_name.h"
#include "server/base/read_file.h"
#include "server/base/status_macros.h"
#include "toml++/toml.h"

namespace nw::config {
namespace {

std::string Where(const std::string& path, const toml::source_region& source) {
  return absl::StrCat(path, ":", source.begin.line, ":", source.begin.column,
                      ": ");
}

// The flag-syntax text of a TOML value, or an error for tables and arrays.
absl::StatusOr<std::string> FlagText(const toml::node& value) {
  if (const auto* s = value.as_string()) return std::string(s->get());
  if (const auto* i = value.as_integer()) return absl::StrCat(i->get());
  if (const auto* b = value.as_boolean())
    return std::string(b->get() ? "true" : "false");
  if (const auto* f = value.as_floating_point()) return absl::StrCat(f->get());
  return absl::InvalidArgumentError(
      "settings are top-level keys with a string, integer or boolean value (no "
      "tables or "
      "arrays)");
}

}  // namespace

absl::Status ApplyConfigFile(const std::string& path,
                             const absl::flat_hash_set<std::string>& settings) {
  NW_ASSIGN_OR_RETURN(std::string text,
                      base::ReadWholeFile(path, "config file"));

  toml::table table;
  try {
    table = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(Where(path, e.source()),
                     "TOML syntax: ", std::string(e.description())));
  }

  // Check every key before setting any, so a bad file changes nothing.
  std::vector<std::pair<absl::CommandLineFlag*, std::string>> assignments;
  for (const auto& [key, value] : table) {
    const std::string name(key.str());
    if (!settings.contains(name)) {
      std::string closest;
      size_t best = 4;  // suggest only near misses
      for (const std::string& known : settings) {
        if (const size_t d = base::EditDistanceIgnoreCase(name, known);
            d < best) {
          best = d;
          closest = known;
        }
      }
      return absl::InvalidArgumentError(absl::StrCat(
          Where(path, key.source()), "unknown setting '", name, "'",
          closest.empty() ? ""
                          : absl::StrCat(" (did you mean '", closest, "'?)"),
          "; settings are the flag names of `newswatchd --help`, with "
          "underscores"));
    }
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr)
      return absl::InternalError(absl::StrCat("no flag named ", name));
    absl::StatusOr<std::string> text_value = FlagText(value);
    if (!text_value.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(Where(path, value.source()), name, ": ",
                       text_value.status().message()));
    }
    assignments.emplace_back(flag, *std::move(text_value));
  }
  // A flag's parser is the validator; a rejected value is restored below.
  std::vector<std::pair<absl::CommandLineFlag*, std::string>> previous;
  for (const auto& [flag, value] : assignments) {
    const std::string before = flag->CurrentValue();
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      for (auto& [done, old] : previous) done->ParseFrom(old, &error);
      const toml::node* node = table.get(std::string(flag->Name()));
      return absl::InvalidArgumentError(
          absl::StrCat(Where(path, node->source()), flag->Name(), " = \"",
                       value, "\": ", error));
    }
    previous.emplace_back(flag, before);
  }
  return absl::OkStatus();
}

std::string FindFlagValue(int argc, char** argv, const std::string& name) {
  const std::string bare = absl::StrCat("--", name);
  const std::string with_value = absl::StrCat(bare, "=");
  std::string value;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") break;
    if (absl::StartsWith(arg, with_value)) {
      value = arg.substr(with_value.size());
    } else if (arg == bare && i + 1 < argc) {
      value = argv[++i];
    }
  }
  return value;
}

}  // namespace nw::config
