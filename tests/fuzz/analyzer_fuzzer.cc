// File: tests/fuzz/analyzer_fuzzer.cc
//
// libFuzzer target: nw::text::AnalyzeField on valid UTF-8 text, then
// AnalyzedArticle::Analyze + Evaluate of fixed rules, with the invariants of
// fuzz_checks.h. See README.md.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tests/fuzz/fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string err = nw::fuzz::CheckAnalyzerInput(
      std::string_view(reinterpret_cast<const char*>(data), size));
  if (!err.empty()) {
    std::fprintf(stderr, "analyzer_fuzzer: invariant violated: %s\n",
                 err.c_str());
    std::abort();
  }
  return 0;
}
