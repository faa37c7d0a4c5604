#include "client/lib/cursor_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace nw::client {
namespace {

absl::Status ErrnoError(absl::string_view what, const std::string& path) {
  return absl::UnavailableError(
      absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

}  // namespace

absl::StatusOr<std::optional<uint64_t>> ReadCursorFile(
    const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    if (errno == ENOENT) return std::optional<uint64_t>();
    return ErrnoError("cannot read cursor file", path);
  }
  std::stringstream text;
  text << in.rdbuf();
  const std::string content = text.str();
  uint64_t cursor = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(content), &cursor)) {
    return absl::InvalidArgumentError(
        absl::StrCat("cursor file ", path, " does not hold a cursor number"));
  }
  return std::optional<uint64_t>(cursor);
}

absl::Status WriteCursorFile(const std::string& path, uint64_t cursor) {
  const std::string temp = absl::StrCat(path, ".tmp");
  const int fd =
      open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError("cannot create", temp);
  const std::string line = absl::StrCat(cursor, "\n");
  const bool written = write(fd, line.data(), line.size()) ==
                           static_cast<ssize_t>(line.size()) &&
                       fsync(fd) == 0;
  const absl::Status write_error =
      written ? absl::OkStatus() : ErrnoError("cannot write", temp);
  close(fd);
  if (!write_error.ok()) {
    unlink(temp.c_str());
    return write_error;
  }
  if (rename(temp.c_str(), path.c_str()) != 0) {
    absl::Status error = ErrnoError("cannot rename onto", path);
    unlink(temp.c_str());
    return error;
  }
  return absl::OkStatus();
}

CursorFileWriter::CursorFileWriter(std::string path, absl::Duration interval)
    : path_(std::move(path)), interval_(interval) {
  thread_ = std::thread([this] { Loop(); });
}

CursorFileWriter::~CursorFileWriter() {
  {
    absl::MutexLock lock(&mu_);
    shutdown_ = true;
  }
  thread_.join();
  (void)Flush();
}

void CursorFileWriter::Update(uint64_t cursor) {
  absl::MutexLock lock(&mu_);
  pending_ = cursor;
}

absl::Status CursorFileWriter::Flush() {
  absl::MutexLock write_lock(&write_mu_);
  std::optional<uint64_t> cursor;
  {
    absl::MutexLock lock(&mu_);
    cursor.swap(pending_);
    if (!cursor.has_value()) return last_status_;
  }
  // The write (with its fsync) runs without mu_, so Update() never waits.
  const absl::Status status = WriteCursorFile(path_, *cursor);
  absl::MutexLock lock(&mu_);
  if (!status.ok() && !pending_.has_value()) pending_ = cursor;
  if (status.ok() || last_status_.ok()) last_status_ = status;
  return last_status_;
}

void CursorFileWriter::Loop() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&shutdown_), interval_);
      if (shutdown_) return;
    }
    (void)Flush();
  }
}

}  // namespace nw::client
