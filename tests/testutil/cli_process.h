// A binary (`newswatch`, newswatchd, ...) run as a child process by a test:
// its stdout and stderr go to files, and the test waits for lines and for its
// exit (bounded). Tests that define NW_CLI_BINARY may leave the binary out.
#ifndef NW_TESTS_TESTUTIL_CLI_PROCESS_H_
#define NW_TESTS_TESTUTIL_CLI_PROCESS_H_

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"

namespace nw::testing {

inline std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

// A loopback port held open (bound and listening) while this lives: for
// tests of "the port is in use".
class HeldPort {
 public:
  HeldPort() : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ >= 0 &&
        bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        listen(fd_, 1) == 0 &&
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port_ = ntohs(addr.sin_port);
    }
  }
  ~HeldPort() {
    if (fd_ >= 0) close(fd_);
  }
  HeldPort(const HeldPort&) = delete;
  HeldPort& operator=(const HeldPort&) = delete;

  int port() const { return port_; }  // 0 when it could not be taken
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  const int fd_;
  int port_ = 0;
};

// `newswatch ARGS...` (or `binary ARGS...`) with stdout and stderr going to
// files in `dir`.
class Cli {
 public:
#ifdef NW_CLI_BINARY
  Cli(const std::string& dir, const std::vector<std::string>& args)
      : Cli(dir, args, NW_CLI_BINARY) {}
#endif
  // `stdin_path`: a file or FIFO the child reads as stdin ("": inherited).
  Cli(const std::string& dir, const std::vector<std::string>& args,
      const std::string& binary, const std::string& stdin_path = "")
      : out_(dir + "/out" + std::to_string(++count_)), err_(out_ + ".err") {
    std::vector<std::string> argv = {binary};
    argv.insert(argv.end(), args.begin(), args.end());
    pid_ = fork();
    if (pid_ == 0) {
      const int out = open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int err = open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(out, STDOUT_FILENO);
      dup2(err, STDERR_FILENO);
      if (!stdin_path.empty()) {
        const int in = open(stdin_path.c_str(), O_RDONLY);
        dup2(in, STDIN_FILENO);
      }
      std::vector<char*> raw;
      for (std::string& a : argv) raw.push_back(a.data());
      raw.push_back(nullptr);
      execv(raw[0], raw.data());
      _exit(127);
    }
  }
  ~Cli() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  std::vector<std::string> Lines() const {
    std::vector<std::string> lines =
        absl::StrSplit(Slurp(out_), '\n', absl::SkipEmpty());
    return lines;
  }
  // Lines of output that start with `prefix`.
  size_t CountLines(absl::string_view prefix = "") const {
    size_t n = 0;
    for (const std::string& line : Lines()) n += absl::StartsWith(line, prefix);
    return n;
  }
  // Waits (up to 30 s) for `n` lines of output that start with `prefix`.
  size_t WaitForLines(size_t n, absl::string_view prefix = "") const {
    for (int i = 0; i < 3000 && CountLines(prefix) < n; ++i) {
      absl::SleepFor(absl::Milliseconds(10));
    }
    return CountLines(prefix);
  }
  void Signal(int signal) { kill(pid_, signal); }
  // Sends `signal` (0: none) and waits (up to 30 s) for the exit code.
  int Wait(int signal = 0) {
    if (signal != 0) kill(pid_, signal);
    int status = 0;
    for (int i = 0; i < 3000; ++i) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      absl::SleepFor(absl::Milliseconds(10));
    }
    return -2;
  }
  std::string Err() const { return Slurp(err_); }
  std::string Out() const { return Slurp(out_); }

 private:
  static inline int count_ = 0;
  std::string out_;
  std::string err_;
  pid_t pid_ = -1;
};

}  // namespace nw::testing

#endif  // NW_TESTS_TESTUTIL_CLI_PROCESS_H_
