// File: bench/load/load_inputs.h
//
// What newswatch-load reads and sets up before a run: articles and rules from
// JSON Lines files, the rules created on the daemon, and the daemon's memory
// figures from /proc.
#ifndef NW_BENCH_LOAD_LOAD_INPUTS_H_
#define NW_BENCH_LOAD_LOAD_INPUTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "client/lib/newswatch_client.h"

namespace nw::bench {

// A line of a rules file: {"id", "subscriber", "rule"}.
struct RuleLine {
  std::string id;
  std::string subscriber;
  std::string rule;
};

// Up to `limit` articles (0: all) of a JSONL article file
// (client/lib/article_json.h format). InvalidArgument names a bad line.
absl::StatusOr<std::vector<newswatch::v1::Article>> LoadArticleFile(
    const std::string& path, size_t limit);

absl::StatusOr<std::vector<RuleLine>> LoadRuleFile(const std::string& path);

// The first `n` distinct subscribers, in file order.
std::vector<std::string> FirstSubscribers(const std::vector<RuleLine>& rules,
                                          size_t n);

struct RuleSetup {
  size_t created = 0;
  size_t existing = 0;  // already on the daemon (skipped)
  size_t failed = 0;
  std::string first_error;
};
// Creates the rules the daemon does not have yet (by id), through one
// RuleService.ImportRules stream of `batch_size`-rule batches (ids kept:
// needs an admin token or none). An error when the import call failed.
absl::StatusOr<RuleSetup> CreateMissingRules(client::NewswatchClient& client,
                                             const std::vector<RuleLine>& rules,
                                             size_t batch_size);

// VmHWM (peak resident set) and VmRSS of process `pid`, in KiB, from
// /proc/PID/status; NotFound when the process or the field is missing.
absl::StatusOr<int64_t> ReadProcStatusKb(int pid, const std::string& field);

}  // namespace nw::bench

#endif  // NW_BENCH_LOAD_LOAD_INPUTS_H_
