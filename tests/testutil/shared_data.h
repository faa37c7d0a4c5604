// File: tests/testutil/shared_data.h
//
// The shared data sets (../shared beside the checkout, or $NW_SHARED_DIR) for
// tests that read every article. Header-only.
#ifndef NW_TESTS_TESTUTIL_SHARED_DATA_H_
#define NW_TESTS_TESTUTIL_SHARED_DATA_H_

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "nlohmann/json.hpp"

namespace nw::testing {

// $NW_SHARED_DIR when set, else `fallback` (the build's ../shared).
inline std::string SharedDir(const char* fallback) {
  const char* dir = std::getenv("NW_SHARED_DIR");
  return dir != nullptr ? dir : fallback;
}

// Calls `fn(file, line)` with each line of every .jsonl file in `dir` that
// parses as JSON (others are skipped). False when `dir` does not exist.
inline bool ForEachJsonLine(
    const std::filesystem::path& dir,
    const std::function<void(const std::filesystem::path&,
                             const nlohmann::json&)>& fn) {
  if (!std::filesystem::exists(dir)) return false;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".jsonl") continue;
    std::ifstream in(entry.path());
    std::string line;
    while (std::getline(in, line)) {
      const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_discarded()) fn(entry.path(), j);
    }
  }
  return true;
}

}  // namespace nw::testing

#endif  // NW_TESTS_TESTUTIL_SHARED_DATA_H_
