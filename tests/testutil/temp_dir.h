// File: tests/testutil/temp_dir.h
//
// The one temporary folder of the tests: a fresh folder under $TMPDIR (or
// /tmp), removed with its contents on destruction. Each test gets its own,
// so tests run in parallel (ctest -j) never share a path.
#ifndef NW_TESTS_TESTUTIL_TEMP_DIR_H_
#define NW_TESTS_TESTUTIL_TEMP_DIR_H_

#include <string>

namespace nw::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace nw::testing

#endif  // NW_TESTS_TESTUTIL_TEMP_DIR_H_
