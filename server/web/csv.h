// File: server/web/csv.h
//
// CSV for the alert export (RFC 4180), safe to open in a spreadsheet.
#ifndef NW_SERVER_WEB_CSV_H_
#define NW_SERVER_WEB_CSV_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace nw::web {

// One cell: quoted when it holds a comma, quote, CR or LF (quotes doubled).
// A cell starting with '=', '+', '-', '@', tab or CR gets a leading "'" so a
// spreadsheet shows it as text instead of running it as a formula (OWASP
// "CSV injection"): article titles come from outside.
std::string CsvCell(absl::string_view value);

// Cells joined by commas, ending in CRLF.
std::string CsvRow(const std::vector<std::string>& cells);

}  // namespace nw::web

#endif  // NW_SERVER_WEB_CSV_H_
