#include "server/web/csv.h"

#include "absl/strings/match.h"

namespace nw::web {

std::string CsvCell(absl::string_view value) {
  std::string cell;
  if (!value.empty() &&
      absl::string_view("=+-@\t\r").find(value[0]) != absl::string_view::npos) {
    cell += '\'';
  }
  cell.append(value.data(), value.size());
  if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (char c : cell) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

std::string CsvRow(const std::vector<std::string>& cells) {
  std::string row;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) row += ',';
    row += CsvCell(cells[i]);
  }
  row += "\r\n";
  return row;
}

}  // namespace nw::web
