// File: bench/line_reader.h
//
// Reads a text file line by line; gzip files (.gz) are decompressed on the fly
// (zlib's gzread reads plain files unchanged too).
#ifndef NW_BENCH_LINE_READER_H_
#define NW_BENCH_LINE_READER_H_

#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"

namespace nw::bench {

// Returns up to `max_lines` lines of `path` (without their '\n'), or NotFound /
// DataLoss when the file cannot be opened or read.
absl::StatusOr<std::vector<std::string>> ReadLines(const std::string& path,
                                                   size_t max_lines = SIZE_MAX);

// Calls `fn` with successive batches of at most `batch` lines of `path` (so
// that a large file is never held whole in memory); errors as ReadLines.
absl::Status ForEachLineBatch(
    const std::string& path, size_t batch,
    absl::FunctionRef<void(std::vector<std::string>&)> fn);

}  // namespace nw::bench

#endif  // NW_BENCH_LINE_READER_H_
