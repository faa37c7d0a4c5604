// File: client/lib/line_reader.h
//
// Reads a text file a line at a time; gzip files (.gz) are decompressed on
// the fly (zlib reads plain files unchanged too). For rule and article files
// of any size: nothing but the current line is held.
//
// Thread safety: one reader, one thread.
#ifndef NW_CLIENT_LIB_LINE_READER_H_
#define NW_CLIENT_LIB_LINE_READER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace nw::client {

class LineReader {
 public:
  // NotFound when `path` cannot be opened.
  static absl::StatusOr<std::unique_ptr<LineReader>> Open(
      const std::string& path);
  ~LineReader();

  // The next line without its '\n' in `*line`: true, or false at the end of
  // the file; DataLoss when the file cannot be read (a corrupt .gz).
  absl::StatusOr<bool> Next(std::string* line);
  // Bytes of the file read so far (compressed bytes for .gz), for progress.
  int64_t offset() const;

 private:
  LineReader(void* file, std::string path)
      : file_(file), path_(std::move(path)) {}

  void* const file_;  // gzFile
  const std::string path_;
  std::vector<char> buffer_ = std::vector<char>(1 << 16);
  size_t begin_ = 0, end_ = 0;  // unread bytes in buffer_
  bool eof_ = false;
};

}  // namespace nw::client

#endif  // NW_CLIENT_LIB_LINE_READER_H_
