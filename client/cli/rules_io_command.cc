// newswatch rules import|export: rule files in the bench's JSONL format.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "client/cli/cli_common.h"
#include "client/cli/commands.h"
#include "client/lib/line_reader.h"
#include "client/lib/rule_json.h"

namespace nw::client::cli {
namespace {

constexpr char kImportUsage[] =
    "usage: newswatch rules import [--subscriber S] [--keep-ids] FILE.jsonl\n"
    "  Creates the rules of FILE (one JSON object a line: {\"subscriber\",\n"
    "  \"rule\"}, optionally \"id\" and \"label\"; .gz read as is), in\n"
    "  batches (2,000 rules or 4 MiB) each stored at once. A rule the\n"
    "  subscriber already has (same canonical query, whatever its id) is\n"
    "  counted, not copied, so importing a file again is harmless; a bad\n"
    "  line is reported with its number and skipped. Prints created /\n"
    "  already present / invalid; exit 1 when any line was invalid.\n";

constexpr char kExportUsage[] =
    "usage: newswatch rules export [--subscriber S] [--out FILE]\n"
    "  Writes the rules (of S; every subscriber's with an admin token) as\n"
    "  JSON lines that `rules import --keep-ids` reads back.\n";

constexpr size_t kBatch = 2000;
// A batch is also cut at this many bytes of lines, so that it stays far below
// gRPC's 16 MiB message limit whatever the file holds.
constexpr size_t kBatchBytes = 4 << 20;
// A longer line cannot hold a valid rule (a query is at most 4 KiB, a label
// and names far less): reported as bad without sending it.
constexpr size_t kMaxLineBytes = 1 << 20;
constexpr size_t kMaxReportedErrors = 20;

// A progress line on a terminal, redrawn at most 10 times a second.
class Progress {
 public:
  explicit Progress(int64_t file_bytes)
      : file_bytes_(file_bytes), on_terminal_(isatty(STDERR_FILENO) == 1) {}
  void Show(size_t rules, int64_t offset) {
    if (!on_terminal_) return;
    const absl::Time now = absl::Now();
    if (now - last_ < absl::Milliseconds(100)) return;
    last_ = now;
    const double rate =
        static_cast<double>(rules) / absl::ToDoubleSeconds(now - start_);
    std::string line = absl::StrFormat("\r%zu rules sent, %.0f/s", rules, rate);
    if (file_bytes_ > 0) {
      absl::StrAppendFormat(&line, ", %.0f%% of the file",
                            100.0 * static_cast<double>(offset) /
                                static_cast<double>(file_bytes_));
    }
    std::cerr << line << "   " << std::flush;
  }
  void Clear() {
    if (on_terminal_) std::cerr << "\r\033[K" << std::flush;
  }

 private:
  const int64_t file_bytes_;
  const bool on_terminal_;
  const absl::Time start_ = absl::Now();
  absl::Time last_ = absl::InfinitePast();
};

int64_t FileSize(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  return in ? static_cast<int64_t>(in.tellg()) : 0;
}

}  // namespace

int RunRulesImport(const std::vector<std::string>& args) {
  CommandArgs cmd = ParseCommandArgs(
      args,
      {{"subscriber", "S",
        "every rule is for S (overrides the file; default: the file's, or "
        "an analyst token's own)"},
       {"keep-ids", "",
        "send the file's ids (admin token only; default: new ids)"}},
      kImportUsage);
  if (cmd.exit_code >= 0) return cmd.exit_code;
  const ParsedArgs& a = cmd.parsed;
  if (a.positional.size() != 1) {
    return UsageError("rules import takes one FILE", kImportUsage);
  }
  const std::string path = a.positional[0];
  absl::StatusOr<std::unique_ptr<LineReader>> reader = LineReader::Open(path);
  if (!reader.ok()) return Fail("import rules", reader.status());
  auto client = ConnectOrReport(a);
  if (client == nullptr) return kExitFailure;

  const std::string subscriber = a.Get("subscriber");
  const bool keep_ids = a.GetBool("keep-ids");
  // Line number of each rule sent, to name the lines the daemon refused.
  std::vector<size_t> line_of;
  // (line number, message) of each invalid line, ours and the daemon's.
  std::vector<std::pair<size_t, std::string>> problems;
  size_t bad_lines = 0, line_number = 0;
  absl::Status read_error;
  Progress progress(FileSize(path));
  const absl::Time start = absl::Now();
  absl::StatusOr<v1::ImportRulesResponse> summary =
      client->ImportRules([&](v1::ImportRulesRequest* batch) {
        std::string line;
        size_t batch_bytes = 0;
        while (batch->rules_size() < static_cast<int>(kBatch) &&
               batch_bytes < kBatchBytes) {
          absl::StatusOr<bool> more = (*reader)->Next(&line);
          if (!more.ok()) {
            read_error = more.status();
            return false;
          }
          if (!*more) break;
          ++line_number;
          if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
          if (line.size() > kMaxLineBytes) {
            ++bad_lines;
            problems.emplace_back(
                line_number,
                absl::StrFormat("line of %zu bytes: a rule line is at most "
                                "%zu (a query at most 4096 bytes)",
                                line.size(), kMaxLineBytes));
            continue;
          }
          absl::StatusOr<v1::WatchRule> rule = ParseRuleJson(line);
          if (!rule.ok()) {
            ++bad_lines;
            problems.emplace_back(line_number,
                                  std::string(rule.status().message()));
            continue;
          }
          if (!subscriber.empty()) rule->set_subscriber(subscriber);
          if (!keep_ids) rule->clear_id();
          *batch->add_rules() = *std::move(rule);
          line_of.push_back(line_number);
          batch_bytes += line.size();
        }
        progress.Show(line_of.size(), (*reader)->offset());
        return batch->rules_size() > 0;
      });
  progress.Clear();
  if (!read_error.ok()) return Fail("import rules", read_error);
  if (!summary.ok()) return Fail("import rules", summary.status());
  for (const v1::ImportRuleError& error : summary->errors()) {
    problems.emplace_back(
        error.index() < line_of.size() ? line_of[error.index()] : 0,
        error.message());
  }
  std::sort(problems.begin(), problems.end());
  for (size_t i = 0; i < problems.size() && i < kMaxReportedErrors; ++i) {
    std::cerr << path << ":" << problems[i].first << ": " << problems[i].second
              << "\n";
  }
  const uint64_t invalid = summary->invalid() + bad_lines;
  if (invalid > kMaxReportedErrors) {
    std::cerr << "(" << invalid - kMaxReportedErrors
              << " more invalid lines not shown)\n";
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  std::cout << absl::StrFormat(
                   "%u created, %u already present, %u invalid (%zu lines, "
                   "%.1f s, %.0f rules/s)",
                   summary->created(), summary->already_present(), invalid,
                   line_number, seconds,
                   seconds > 0 ? static_cast<double>(line_of.size()) / seconds
                               : 0.0)
            << std::endl;
  return invalid == 0 ? kExitOk : kExitFailure;
}

int RunRulesExport(const std::vector<std::string>& args) {
  CommandArgs cmd = ParseCommandArgs(
      args,
      {{"subscriber", "S",
        "only S's rules (default: an analyst's own; every rule for an "
        "admin)"},
       {"out", "FILE", "write to FILE instead of standard output"}},
      kExportUsage);
  if (cmd.exit_code >= 0) return cmd.exit_code;
  const ParsedArgs& a = cmd.parsed;
  if (!a.positional.empty()) {
    return UsageError("rules export takes no arguments", kExportUsage);
  }
  auto client = ConnectOrReport(a);
  if (client == nullptr) return kExitFailure;
  std::ofstream file;
  if (a.Has("out")) {
    file.open(a.Get("out"), std::ios::trunc);
    if (!file) {
      return Fail("export rules", absl::NotFoundError(absl::StrCat(
                                      "cannot write ", a.Get("out"))));
    }
  }
  std::ostream& out = a.Has("out") ? file : std::cout;
  size_t count = 0;
  absl::Status status =
      client->ExportRules(a.Get("subscriber"), [&](const v1::WatchRule& rule) {
        out << RuleToJson(rule) << "\n";
        ++count;
        return static_cast<bool>(out);
      });
  out.flush();
  if (!status.ok()) return Fail("export rules", status);
  if (!out) {
    return Fail("export rules",
                absl::DataLossError("write failed (disk full?)"));
  }
  if (a.Has("out")) std::cerr << count << " rules written\n";
  return kExitOk;
}

}  // namespace nw::client::cli
