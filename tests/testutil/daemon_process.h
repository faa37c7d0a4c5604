// File: tests/testutil/daemon_process.h
//
// Runs the real newswatchd binary for end-to-end tests: on 127.0.0.1 with a
// free port and a temporary data dir, talking real gRPC.
#ifndef NW_TESTS_TESTUTIL_DAEMON_PROCESS_H_
#define NW_TESTS_TESTUTIL_DAEMON_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "tests/testutil/temp_dir.h"  // TempDir, for the daemons' data dirs

namespace nw::testing {

// How the daemon process is set up besides its flags.
struct ProcessOptions {
  // Where its stderr (the log) goes; empty: inherited from the test.
  std::string stderr_path;
  // RLIMIT_FSIZE in bytes (0: unchanged). Writes past it fail with EFBIG
  // (SIGXFSZ is ignored), which is how tests make storage fail for real.
  uint64_t file_size_limit_bytes = 0;
};

class DaemonProcess {
 public:
  // Starts `binary` with --listen 127.0.0.1:0 --data-dir `data_dir` plus
  // `extra_flags`, and waits (up to 30 s) for its "listening on" line.
  static absl::StatusOr<std::unique_ptr<DaemonProcess>> Start(
      const std::string& binary, const std::string& data_dir,
      const std::vector<std::string>& extra_flags = {},
      const ProcessOptions& options = {});
  // Runs `argv` (argv[0]: the program's path) as is, e.g. a test server
  // script, and waits (up to 30 s) for its "listening on HOST:PORT " line.
  static absl::StatusOr<std::unique_ptr<DaemonProcess>> StartCommand(
      std::vector<std::string> argv, const ProcessOptions& options = {});
  ~DaemonProcess();  // kills with SIGKILL if still running

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  // A channel to the daemon, connected (waits up to 10 s).
  std::shared_ptr<grpc::Channel> Channel() const;

  // Sends SIGTERM and waits; returns the exit status (0 for a clean stop).
  absl::StatusOr<int> Stop();
  // Sends SIGKILL and reaps the process (a crash).
  void Kill();

 private:
  DaemonProcess(pid_t pid, int port) : pid_(pid), port_(port) {}
  pid_t pid_;
  int port_;
};

// The path of the newswatchd binary under test (set by CMake).
std::string DaemonBinary();
// tests/data/<name>.
std::string TestDataPath(const std::string& name);

}  // namespace nw::testing

#endif  // NW_TESTS_TESTUTIL_DAEMON_PROCESS_H_
