// Cursor files: atomic replace, missing and malformed files, batched writes.
#include "client/lib/cursor_file.h"

#include <filesystem>
#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "tests/testutil/daemon_process.h"
#include "tests/testutil/status_matchers.h"

namespace nw::client {
namespace {

using ::nw::testing::IsOk;

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Verifies that a missing file reads as "no cursor", and a written one back.
TEST(CursorFileTest, WriteThenRead) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/cursor";
  absl::StatusOr<std::optional<uint64_t>> read = ReadCursorFile(path);
  ASSERT_THAT(read, IsOk());
  EXPECT_FALSE(read->has_value());
  ASSERT_THAT(WriteCursorFile(path, 42), IsOk());
  EXPECT_EQ(Slurp(path), "42\n");
  ASSERT_THAT(WriteCursorFile(path, 18446744073709551615u), IsOk());
  read = ReadCursorFile(path);
  ASSERT_THAT(read, IsOk());
  EXPECT_EQ(read->value(), 18446744073709551615u);
  // No temporary file is left behind.
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

// Verifies that anything but a number is InvalidArgument.
TEST(CursorFileTest, MalformedFile) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/cursor";
  std::ofstream(path) << "twelve\n";
  EXPECT_TRUE(absl::IsInvalidArgument(ReadCursorFile(path).status()));
  std::ofstream(path) << "";
  EXPECT_TRUE(absl::IsInvalidArgument(ReadCursorFile(path).status()));
}

// Verifies that a write into a missing folder fails and leaves nothing.
TEST(CursorFileTest, WriteFailure) {
  testing::TempDir dir;
  EXPECT_FALSE(WriteCursorFile(dir.path() + "/no/such/dir/cursor", 1).ok());
}

// Verifies that the writer keeps only the newest cursor and Flush() writes
// it at once.
TEST(CursorFileWriterTest, FlushWritesNewest) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/cursor";
  CursorFileWriter writer(path, absl::Hours(1));
  EXPECT_THAT(writer.Flush(), IsOk());  // nothing pending: no file
  EXPECT_FALSE(std::filesystem::exists(path));
  for (uint64_t c = 1; c <= 100; ++c) writer.Update(c);
  ASSERT_THAT(writer.Flush(), IsOk());
  EXPECT_EQ(Slurp(path), "100\n");
}

// Verifies that the background thread writes within its interval, and the
// destructor writes what is pending.
TEST(CursorFileWriterTest, WritesInBackgroundAndOnDestruction) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/cursor";
  {
    CursorFileWriter writer(path, absl::Milliseconds(10));
    writer.Update(7);
    for (int i = 0; i < 500 && Slurp(path) != "7\n"; ++i) {
      absl::SleepFor(absl::Milliseconds(10));
    }
    EXPECT_EQ(Slurp(path), "7\n");
  }
  {
    CursorFileWriter writer(path, absl::Hours(1));
    writer.Update(8);
  }
  EXPECT_EQ(Slurp(path), "8\n");
}

// Verifies that a failed write is reported by Flush().
TEST(CursorFileWriterTest, ReportsFailure) {
  testing::TempDir dir;
  CursorFileWriter writer(dir.path() + "/missing/cursor", absl::Hours(1));
  writer.Update(3);
  EXPECT_FALSE(writer.Flush().ok());
}

}  // namespace
}  // namespace nw::client
