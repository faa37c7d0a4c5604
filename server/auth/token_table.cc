#include "server/auth/token_table.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "server/auth/token_hash.h"
#include "server/base/read_file.h"
#include "server/base/status_macros.h"

namespace nw::auth {
namespace {

constexpr absl::string_view kHashPrefix = "sha256:";
constexpr size_t kMaxNameBytes = 128;

bool IsLowerHex(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isdigit(c) && !(c >= 'a' && c <= 'f')) return false;
  }
  return true;
}

// Names label logs and messages: keep them to a safe, printable alphabet.
bool IsValidName(absl::string_view name) {
  if (name.empty() || name.size() > kMaxNameBytes) return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '_' && c != '-' && c != '@')
      return false;
  }
  return true;
}

// One non-comment line: "sha256:<hex> <role> key=value...".
absl::StatusOr<std::pair<std::string, Principal>> ParseLine(
    absl::string_view line) {
  std::vector<absl::string_view> fields =
      absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
  if (fields.size() < 2) {
    return absl::InvalidArgumentError(
        "expected 'sha256:<64 hex digits> <role> name=<name> "
        "[subscriber=<subscriber>]'");
  }
  absl::string_view hash = fields[0];
  if (!absl::ConsumePrefix(&hash, kHashPrefix) || hash.size() != 64 ||
      !IsLowerHex(hash)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "first field must be sha256: and 64 lowercase hex digits (the token's "
        "hash, from "
        "'newswatch token new'), not '",
        fields[0].substr(0, 16), fields[0].size() > 16 ? "...'" : "'"));
  }
  std::optional<Role> role = ParseRole(fields[1]);
  if (!role) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown role '", fields[1], "': use ingest, analyst or admin"));
  }
  Principal p{.name = "", .role = *role, .subscriber = ""};
  bool has_name = false, has_subscriber = false;  // each at most once
  for (size_t i = 2; i < fields.size(); ++i) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(fields[i], absl::MaxSplits('=', 1));
    bool* seen = kv.first == "name"         ? &has_name
                 : kv.first == "subscriber" ? &has_subscriber
                                            : nullptr;
    if (seen == nullptr || !absl::StrContains(fields[i], '=')) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown field '", fields[i], "': expected name= or subscriber="));
    }
    if (*seen)
      return absl::InvalidArgumentError(
          absl::StrCat(kv.first, "= given twice"));
    *seen = true;
    (kv.first == "name" ? p.name : p.subscriber) = std::string(kv.second);
  }
  if (p.role != Role::kAnalyst && has_subscriber) {
    return absl::InvalidArgumentError(
        absl::StrCat("subscriber= is only for analyst tokens; a ",
                     RoleName(p.role), " token has none"));
  }
  NW_RETURN_IF_ERROR(TokenTable::CheckPrincipal(p));
  return std::make_pair(std::string(hash), std::move(p));
}

}  // namespace

absl::Status TokenTable::CheckPrincipal(const Principal& p) {
  if (!IsValidName(p.name)) {
    return absl::InvalidArgumentError(
        "name=<name> is required: letters, digits, '.', '_', '-', '@', at most "
        "128");
  }
  if (p.role == Role::kAnalyst) {
    if (p.subscriber.empty() || p.subscriber.size() > kMaxNameBytes) {
      return absl::InvalidArgumentError(
          "an analyst token needs subscriber=<subscriber> (whose rules and "
          "alerts it may use)");
    }
    for (char c : p.subscriber) {
      if (absl::ascii_isspace(c) || absl::ascii_iscntrl(c)) {
        return absl::InvalidArgumentError(
            "a subscriber in the token file cannot contain white space or "
            "control characters");
      }
    }
  } else if (!p.subscriber.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("subscriber= is only for analyst tokens; a ",
                     RoleName(p.role), " token has none"));
  }
  return absl::OkStatus();
}

absl::StatusOr<TokenTable> TokenTable::Parse(absl::string_view text,
                                             absl::string_view file_name) {
  TokenTable table;
  absl::flat_hash_map<std::string, int> line_of_hash;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    absl::StatusOr<std::pair<std::string, Principal>> entry = ParseLine(line);
    if (!entry.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          file_name, ":", line_number, ": ", entry.status().message()));
    }
    auto [it, inserted] = line_of_hash.try_emplace(entry->first, line_number);
    if (!inserted) {
      return absl::InvalidArgumentError(
          absl::StrCat(file_name, ":", line_number,
                       ": the same token hash is on line ", it->second));
    }
    table.by_hash_.emplace(std::move(entry->first), std::move(entry->second));
  }
  if (table.by_hash_.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        file_name, ": no tokens (add lines made by 'newswatch token new')"));
  }
  return table;
}

absl::StatusOr<TokenTable> TokenTable::Load(const std::string& path) {
  NW_ASSIGN_OR_RETURN(std::string text,
                      base::ReadWholeFile(path, "token file"));
  return Parse(text, path);
}

const Principal* TokenTable::Find(absl::string_view token) const {
  return FindByHash(Sha256Hex(token));
}

const Principal* TokenTable::FindByHash(absl::string_view sha256_hex) const {
  auto it = by_hash_.find(sha256_hex);
  return it == by_hash_.end() ? nullptr : &it->second;
}

std::string TokenTable::FormatLine(absl::string_view sha256_hex,
                                   const Principal& p) {
  std::string line = absl::StrCat(kHashPrefix, sha256_hex, " ",
                                  RoleName(p.role), " name=", p.name);
  if (p.role == Role::kAnalyst)
    absl::StrAppend(&line, " subscriber=", p.subscriber);
  return line;
}

}  // namespace nw::auth
