// File: server/base/read_file.h
//
// Reading a whole small file (config, token file, PEM) with an error that
// tells an operator which file and why.
#ifndef NW_SERVER_BASE_READ_FILE_H_
#define NW_SERVER_BASE_READ_FILE_H_

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace nw::base {

// The bytes of `path`. `what` names the file for the message, e.g. "token
// file" gives "cannot read token file '<path>': <reason>".
// Errors: NotFound, PermissionDenied, or Internal for other failures.
inline absl::StatusOr<std::string> ReadWholeFile(const std::string& path,
                                                 absl::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    const std::string message = absl::StrCat("cannot read ", what, " '", path,
                                             "': ", std::strerror(err));
    if (err == ENOENT) return absl::NotFoundError(message);
    if (err == EACCES) return absl::PermissionDeniedError(message);
    return absl::InternalError(message);
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace nw::base

#endif  // NW_SERVER_BASE_READ_FILE_H_
