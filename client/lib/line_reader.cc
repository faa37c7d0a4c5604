#include "client/lib/line_reader.h"

#include <zlib.h>

#include <cstring>

#include "absl/strings/str_cat.h"

namespace nw::client {

absl::StatusOr<std::unique_ptr<LineReader>> LineReader::Open(
    const std::string& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr)
    return absl::NotFoundError(absl::StrCat("cannot open ", path));
  gzbuffer(file, 1 << 20);
  return std::unique_ptr<LineReader>(new LineReader(file, path));
}

LineReader::~LineReader() { gzclose(static_cast<gzFile>(file_)); }

absl::StatusOr<bool> LineReader::Next(std::string* line) {
  line->clear();
  while (true) {
    const char* start = buffer_.data() + begin_;
    const void* newline = std::memchr(start, '\n', end_ - begin_);
    if (newline != nullptr) {
      const size_t n = static_cast<const char*>(newline) - start;
      line->append(start, n);
      begin_ += n + 1;
      return true;
    }
    line->append(start, end_ - begin_);
    begin_ = end_ = 0;
    if (eof_) return !line->empty();
    const int n = gzread(static_cast<gzFile>(file_), buffer_.data(),
                         static_cast<unsigned>(buffer_.size()));
    if (n < 0) return absl::DataLossError(absl::StrCat("cannot read ", path_));
    if (n == 0) eof_ = true;
    end_ = static_cast<size_t>(n);
  }
}

int64_t LineReader::offset() const {
  return gzoffset(static_cast<gzFile>(file_));
}

}  // namespace nw::client
