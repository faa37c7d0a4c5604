#include "tests/testutil/daemon_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace nw::testing {

std::string DaemonBinary() { return NW_DAEMON_BINARY; }

std::string TestDataPath(const std::string& name) {
  const char* dir = std::getenv("NW_TEST_DATA");
  return absl::StrCat(dir ? dir : NW_TEST_DATA_DIR, "/", name);
}

absl::StatusOr<std::unique_ptr<DaemonProcess>> DaemonProcess::Start(
    const std::string& binary, const std::string& data_dir,
    const std::vector<std::string>& extra_flags,
    const ProcessOptions& options) {
  std::vector<std::string> args = {binary, "--listen=127.0.0.1:0",
                                   // Tests run daemons in parallel: no
                                   // console on its fixed default port
                                   // (a test that wants one passes
                                   // --web-listen=127.0.0.1:0 after).
                                   "--web-listen=off",
                                   "--data_dir=" + data_dir};
  args.insert(args.end(), extra_flags.begin(), extra_flags.end());
  return StartCommand(args, options);
}

absl::StatusOr<std::unique_ptr<DaemonProcess>> DaemonProcess::StartCommand(
    std::vector<std::string> args, const ProcessOptions& options) {
  int out[2];
  if (pipe(out) != 0) return absl::InternalError("pipe failed");
  const std::string binary = args.at(0);
  pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    if (!options.stderr_path.empty()) {
      const int err = open(options.stderr_path.c_str(),
                           O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (err >= 0) dup2(err, STDERR_FILENO);
    }
    if (options.file_size_limit_bytes > 0) {
      signal(SIGXFSZ, SIG_IGN);  // stays ignored across exec
      const rlimit limit{.rlim_cur = options.file_size_limit_bytes,
                         .rlim_max = options.file_size_limit_bytes};
      setrlimit(RLIMIT_FSIZE, &limit);
    }
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  close(out[1]);
  // Read stdout until the "listening on 127.0.0.1:PORT" line.
  std::string seen;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(30);
  int port = 0;
  while (port == 0 && std::chrono::steady_clock::now() < deadline) {
    pollfd p{.fd = out[0], .events = POLLIN, .revents = 0};
    if (poll(&p, 1, 200) <= 0) continue;
    char buf[512];
    ssize_t n = read(out[0], buf, sizeof buf);
    if (n <= 0) break;  // the daemon exited
    seen.append(buf, n);
    // "listening on HOST:PORT " (HOST: 127.0.0.1, or 0.0.0.0 etc. when a
    // test listens elsewhere).
    const size_t at = seen.find("listening on ");
    const size_t eol = at == std::string::npos ? at : seen.find(' ', at + 13);
    if (eol != std::string::npos) {
      const size_t colon = seen.rfind(':', eol);
      if (colon < at ||
          !absl::SimpleAtoi(seen.substr(colon + 1, eol - colon - 1), &port)) {
        port = 0;
      }
    }
  }
  // Keep draining stdout so the daemon never blocks on a full pipe.
  fcntl(out[0], F_SETFL, O_NONBLOCK);
  fcntl(out[0], F_SETFD, FD_CLOEXEC);
  if (port == 0) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    close(out[0]);
    return absl::UnavailableError(
        absl::StrCat(binary, " did not start; it printed: ", seen));
  }
  // The daemon writes little to stdout; a closed read end would SIGPIPE it,
  // so the fd is deliberately left open (leaked) for the process lifetime.
  return std::unique_ptr<DaemonProcess>(new DaemonProcess(pid, port));
}

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0) Kill();
}

std::shared_ptr<grpc::Channel> DaemonProcess::Channel() const {
  auto channel =
      grpc::CreateChannel(address(), grpc::InsecureChannelCredentials());
  channel->WaitForConnected(std::chrono::system_clock::now() +
                            std::chrono::seconds(10));
  return channel;
}

absl::StatusOr<int> DaemonProcess::Stop() {
  if (pid_ <= 0) return absl::FailedPreconditionError("not running");
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  if (!WIFEXITED(status))
    return absl::InternalError("newswatchd did not exit normally");
  return WEXITSTATUS(status);
}

void DaemonProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

}  // namespace nw::testing
