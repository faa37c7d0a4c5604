// newswatch-bench-seed-rules: writes the rules of a bench rule file
// ({id, subscriber, rule} lines, .gz accepted) straight into a newswatchd data
// dir's rule store, unsynced, so that the daemon's start with many stored
// rules can be timed (issue 16, fast start). The daemon must not be running
// on that dir.
//
//   newswatch-bench-seed-rules --rules RULES.jsonl[.gz] --data-dir DIR
#include <iostream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "bench/line_reader.h"
#include "nlohmann/json.hpp"
#include "rocksdb/db.h"
#include "storage/db.h"
#include "storage/rule_store.h"

ABSL_FLAG(std::string, rules, "", "rules JSONL ({id, subscriber, rule})");
ABSL_FLAG(std::string, data_dir, "", "newswatchd data dir");

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {  // accept --data-dir as --data_dir
    if (argv[i][0] != '-' || argv[i][1] != '-') continue;
    for (char* c = argv[i] + 2; *c != '\0' && *c != '='; ++c) {
      if (*c == '-') *c = '_';
    }
  }
  absl::ParseCommandLine(argc, argv);
  if (absl::GetFlag(FLAGS_rules).empty() ||
      absl::GetFlag(FLAGS_data_dir).empty()) {
    std::cerr << "usage: newswatch-bench-seed-rules --rules R.jsonl "
                 "--data-dir DIR\n";
    return 2;
  }
  auto db = nw::storage::Db::Open(
      {.path = absl::GetFlag(FLAGS_data_dir), .sync = false});
  if (!db.ok()) {
    std::cerr << db.status() << "\n";
    return 1;
  }
  nw::storage::RuleStore store(**db);
  size_t n = 0;
  absl::Status failed;
  const absl::Status read = nw::bench::ForEachLineBatch(
      absl::GetFlag(FLAGS_rules), 1 << 16,
      [&](std::vector<std::string>& lines) {
        for (const std::string& line : lines) {
          if (!failed.ok()) return;
          const nlohmann::json j = nlohmann::json::parse(line);
          newswatch::v1::WatchRule rule;
          rule.set_id(j["id"].get<std::string>());
          rule.set_subscriber(j["subscriber"].get<std::string>());
          rule.set_query(j["rule"].get<std::string>());
          failed = store.Put(rule, 0);
          ++n;
        }
      });
  if (!read.ok() || !failed.ok()) {
    std::cerr << (read.ok() ? failed : read) << "\n";
    return 1;
  }
  // Flushed, as a daemon that ran a while would have it: its start then
  // reads tables, not a write-ahead log of a million records.
  for (int cf = 0; cf < static_cast<int>(nw::storage::Cf::kCount); ++cf) {
    rocksdb::Status s = (*db)->raw()->Flush(
        rocksdb::FlushOptions(), (*db)->cf(static_cast<nw::storage::Cf>(cf)));
    if (!s.ok()) std::cerr << s.ToString() << "\n";
  }
  std::cout << "stored " << n << " rules in " << absl::GetFlag(FLAGS_data_dir)
            << "\n";
  return 0;
}
