// End to end: a newswatchd that cannot run says why and leaves nothing
// behind: a second daemon on the same data dir, a listen port already taken.
#include <sys/stat.h>

#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testutil/cli_process.h"
#include "tests/testutil/daemon_process.h"
#include "tests/testutil/status_matchers.h"

namespace nw {
namespace {

using ::nw::testing::IsOk;

using testing::Cli;
using testing::DaemonProcess;
using ::testing::HasSubstr;

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

// Verifies that a second daemon on a data dir in use names the other one
// instead of RocksDB's lock error, and exits 1.
TEST(DaemonStartE2eTest, SecondDaemonOnTheSameDataDirSaysSo) {
  testing::TempDir dir;
  const std::string data = dir.path() + "/data";
  absl::StatusOr<std::unique_ptr<DaemonProcess>> first =
      DaemonProcess::Start(testing::DaemonBinary(), data);
  ASSERT_THAT(first, IsOk());
  Cli second(dir.path(), {"--listen=127.0.0.1:0", "--data-dir=" + data},
             testing::DaemonBinary());
  EXPECT_EQ(second.Wait(), 1);
  EXPECT_THAT(second.Err(), HasSubstr("another newswatchd (pid " +
                                      std::to_string((*first)->pid()) +
                                      ") is using " + data));
  EXPECT_THAT(second.Err(), ::testing::Not(HasSubstr("LOCK")));
}

// Verifies that a daemon whose port is taken says so and creates no data
// dir.
TEST(DaemonStartE2eTest, PortTakenCreatesNothing) {
  testing::TempDir dir;
  absl::StatusOr<std::unique_ptr<DaemonProcess>> first =
      DaemonProcess::Start(testing::DaemonBinary(), dir.path() + "/first");
  ASSERT_THAT(first, IsOk());
  const std::string data = dir.path() + "/second";
  Cli second(dir.path(),
             {"--listen=" + (*first)->address(), "--data-dir=" + data},
             testing::DaemonBinary());
  EXPECT_EQ(second.Wait(), 1);
  EXPECT_THAT(second.Err(),
              HasSubstr("cannot listen on " + (*first)->address() +
                        " (--listen): the port is in use"));
  EXPECT_FALSE(Exists(data));
}

}  // namespace
}  // namespace nw
