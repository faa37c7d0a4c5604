// File: tests/fuzz/rule_parser_fuzzer.cc
//
// libFuzzer target: nw::rules::ParseRule on arbitrary bytes, with the
// invariants of fuzz_checks.h (canonical round trip, error offsets,
// evaluation). See README.md.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tests/fuzz/fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string err = nw::fuzz::CheckRuleInput(
      std::string_view(reinterpret_cast<const char*>(data), size));
  if (!err.empty()) {
    std::fprintf(stderr, "rule_parser_fuzzer: invariant violated: %s\n",
                 err.c_str());
    std::abort();
  }
  return 0;
}
