// File: server/daemon/start_checks.h
//
// Checks Daemon::Start makes before it creates or opens anything, so that a
// daemon that cannot run leaves nothing behind and says why in words instead
// of RocksDB's "lock hold by current process" or a bare bind error:
// another newswatchd on the same data dir, a listen port already taken.
//
// Thread safety: functions without shared state.
#ifndef NW_SERVER_DAEMON_START_CHECKS_H_
#define NW_SERVER_DAEMON_START_CHECKS_H_

#include <string>

#include "absl/status/status.h"

namespace nw::daemon {

// FailedPrecondition "another newswatchd (pid N) is using DIR ..." when a
// process holds the RocksDB lock of `data_dir` (DIR/LOCK); OK when the
// folder or its LOCK file does not exist or nobody holds it. Creates nothing.
absl::Status CheckDataDirNotInUse(const std::string& data_dir);

// Unavailable "cannot listen on HOST:PORT: the port is in use ..." when
// binding `listen` fails with EADDRINUSE; OK for port 0, for an address
// that binds, and for other errors (gRPC reports those when it listens).
// `flag` names the setting in the message ("--listen").
absl::Status CheckListenAddressFree(const std::string& listen,
                                    const std::string& flag);

}  // namespace nw::daemon

#endif  // NW_SERVER_DAEMON_START_CHECKS_H_
