#include "server/daemon/start_checks.h"

#include <fcntl.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace nw::daemon {

absl::Status CheckDataDirNotInUse(const std::string& data_dir) {
  const std::string lock_file = data_dir + "/LOCK";
  const int fd = open(lock_file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return absl::OkStatus();  // a new data dir, or unreadable: Open says
  // RocksDB holds a POSIX write lock on LOCK while the database is open.
  struct flock lock = {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  const bool held = fcntl(fd, F_GETLK, &lock) == 0 && lock.l_type != F_UNLCK;
  close(fd);  // this process held no lock on it: closing releases nothing
  if (!held) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "another newswatchd (pid ", lock.l_pid, ") is using ", data_dir,
      ": stop it first, or give this one another --data-dir"));
}

absl::Status CheckListenAddressFree(const std::string& listen,
                                    const std::string& flag) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return absl::OkStatus();
  std::string host = listen.substr(0, colon);
  const std::string port = listen.substr(colon + 1);
  if (port == "0" || absl::StartsWith(listen, "unix:")) return absl::OkStatus();
  host = std::string(absl::StripSuffix(absl::StripPrefix(host, "["), "]"));
  addrinfo hints = {};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* addresses = nullptr;
  if (getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints,
                  &addresses) != 0) {
    return absl::OkStatus();  // gRPC reports a bad address
  }
  bool in_use = false;
  for (addrinfo* a = addresses; a != nullptr && !in_use; a = a->ai_next) {
    const int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    // As gRPC binds: a port in TIME_WAIT is free.
    const int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    in_use = bind(fd, a->ai_addr, a->ai_addrlen) != 0 && errno == EADDRINUSE;
    close(fd);
  }
  freeaddrinfo(addresses);
  if (!in_use) return absl::OkStatus();
  return absl::UnavailableError(absl::StrCat(
      "cannot listen on ", listen, " (", flag,
      "): the port is in use, by another newswatchd or another program "
      "(`ss -ltnp 'sport = :",
      port, "'` shows which); stop it or choose another port"));
}

}  // namespace nw::daemon
