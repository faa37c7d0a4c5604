// File: tests/cluster/nats_fixture.h
//
// Real nats-server processes for cluster tests: 1 or 3 servers with
// JetStream on 127.0.0.1, free ports, stores in a temp dir; stopped by PID.
#ifndef NW_TESTS_CLUSTER_NATS_FIXTURE_H_
#define NW_TESTS_CLUSTER_NATS_FIXTURE_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "tests/testutil/daemon_process.h"

namespace nw::testing {

class NatsServers {
 public:
  // Starts `n` servers (1, or 3 in one JetStream cluster) and waits until
  // they accept connections (and, for 3, a meta leader is elected).
  explicit NatsServers(int n);
  ~NatsServers();  // SIGKILLs what still runs

  // "nats://127.0.0.1:p1,nats://127.0.0.1:p2,..."
  std::string urls() const;
  // SIGKILL server i / start it again on the same ports and store.
  void Kill(int i);
  void Restart(int i);
  bool ok() const { return ok_; }
  // The index of the server that leads `stream` now (its RAFT group), or -1
  // when none answers; asks the servers still running.
  int StreamLeader(const std::string& stream) const;
  bool running(int i) const { return pids_[i] > 0; }

 private:
  void Launch(int i);
  TempDir dir_;
  int n_;
  std::vector<int> client_ports_, cluster_ports_;
  std::vector<pid_t> pids_;
  bool ok_ = false;
};

// A port that was free a moment ago on 127.0.0.1.
int FreePort();

}  // namespace nw::testing

#endif  // NW_TESTS_CLUSTER_NATS_FIXTURE_H_
