#include "bench/line_reader.h"

#include <zlib.h>

#include "absl/strings/str_cat.h"

namespace nw::bench {

absl::StatusOr<std::vector<std::string>> ReadLines(const std::string& path,
                                                   size_t max_lines) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr)
    return absl::NotFoundError(absl::StrCat("cannot open ", path));
  gzbuffer(file, 1 << 20);
  std::vector<std::string> lines;
  std::string pending;
  std::vector<char> buffer(1 << 20);
  int n = 0;
  while (lines.size() < max_lines &&
         (n = gzread(file, buffer.data(),
                     static_cast<unsigned>(buffer.size()))) > 0) {
    size_t start = 0;
    for (int i = 0; i < n && lines.size() < max_lines; ++i) {
      if (buffer[i] != '\n') continue;
      pending.append(buffer.data() + start, i - start);
      lines.push_back(std::move(pending));
      pending.clear();
      start = i + 1;
    }
    if (lines.size() < max_lines)
      pending.append(buffer.data() + start, n - start);
  }
  const bool failed = n < 0;
  gzclose(file);
  if (failed) return absl::DataLossError(absl::StrCat("cannot read ", path));
  if (!pending.empty() && lines.size() < max_lines)
    lines.push_back(std::move(pending));
  return lines;
}

}  // namespace nw::bench
