#include "bench/line_reader.h"

#include "client/lib/line_reader.h"

namespace nw::bench {

absl::Status ForEachLineBatch(
    const std::string& path, size_t batch,
    absl::FunctionRef<void(std::vector<std::string>&)> fn) {
  absl::StatusOr<std::unique_ptr<client::LineReader>> reader =
      client::LineReader::Open(path);
  if (!reader.ok()) return reader.status();
  std::vector<std::string> lines;
  lines.reserve(batch);
  std::string line;
  while (true) {
    absl::StatusOr<bool> more = (*reader)->Next(&line);
    if (!more.ok()) return more.status();
    if (!*more) break;
    lines.push_back(std::move(line));
    if (lines.size() == batch) {
      fn(lines);
      lines.clear();
    }
  }
  if (!lines.empty()) fn(lines);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> ReadLines(const std::string& path,
                                                   size_t max_lines) {
  absl::StatusOr<std::unique_ptr<client::LineReader>> reader =
      client::LineReader::Open(path);
  if (!reader.ok()) return reader.status();
  std::vector<std::string> lines;
  std::string line;
  while (lines.size() < max_lines) {
    absl::StatusOr<bool> more = (*reader)->Next(&line);
    if (!more.ok()) return more.status();
    if (!*more) break;
    lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace nw::bench
