#include "tests/cluster/nats_fixture.h"

#include <arpa/inet.h>
#include <nats/nats.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace nw::testing {

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

namespace {

bool Accepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  const bool ok =
      connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

}  // namespace

NatsServers::NatsServers(int n) : n_(n) {
  for (int i = 0; i < n; ++i) {
    client_ports_.push_back(FreePort());
    cluster_ports_.push_back(FreePort());
  }
  pids_.assign(n, -1);
  for (int i = 0; i < n; ++i) Launch(i);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(20);
  ok_ = true;
  for (int i = 0; i < n; ++i) {
    while (!Accepts(client_ports_[i]) &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ok_ = ok_ && Accepts(client_ports_[i]);
  }
  // A 3-server JetStream needs its meta leader before streams can be made.
  if (n > 1) std::this_thread::sleep_for(std::chrono::seconds(2));
}

void NatsServers::Launch(int i) {
  const std::string conf = absl::StrCat(dir_.path(), "/n", i, ".conf");
  {
    std::ofstream out(conf);
    out << "server_name: n" << i << "\n"
        << "listen: 127.0.0.1:" << client_ports_[i] << "\n"
        << "jetstream { store_dir: \"" << dir_.path() << "/store" << i
        << "\" }\n";
    if (n_ > 1) {
      std::vector<std::string> routes;
      for (int j = 0; j < n_; ++j)
        routes.push_back(
            absl::StrCat("nats-route://127.0.0.1:", cluster_ports_[j]));
      out << "cluster { name: nw, listen: 127.0.0.1:" << cluster_ports_[i]
          << ", routes: [" << absl::StrJoin(routes, ", ") << "] }\n";
    }
  }
  const std::string log = absl::StrCat(dir_.path(), "/n", i, ".log");
  pid_t pid = fork();
  if (pid == 0) {
    FILE* f = freopen(log.c_str(), "a", stderr);
    (void)f;
    FILE* g = freopen(log.c_str(), "a", stdout);
    (void)g;
    execlp("nats-server", "nats-server", "-c", conf.c_str(),
           static_cast<char*>(nullptr));
    _exit(127);
  }
  pids_[i] = pid;
}

std::string NatsServers::urls() const {
  std::vector<std::string> urls;
  for (int port : client_ports_)
    urls.push_back(absl::StrCat("nats://127.0.0.1:", port));
  return absl::StrJoin(urls, ",");
}

void NatsServers::Kill(int i) {
  if (pids_[i] <= 0) return;
  kill(pids_[i], SIGKILL);
  waitpid(pids_[i], nullptr, 0);
  pids_[i] = -1;
}

void NatsServers::Restart(int i) {
  Kill(i);
  Launch(i);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!Accepts(client_ports_[i]) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

int NatsServers::StreamLeader(const std::string& stream) const {
  for (int i = 0; i < n_; ++i) {
    if (pids_[i] <= 0) continue;
    natsConnection* nc = nullptr;
    const std::string url = absl::StrCat("nats://127.0.0.1:", client_ports_[i]);
    if (natsConnection_ConnectTo(&nc, url.c_str()) != NATS_OK) continue;
    jsCtx* js = nullptr;
    int leader = -1;
    jsStreamInfo* info = nullptr;
    if (natsConnection_JetStream(&js, nc, nullptr) == NATS_OK &&
        js_GetStreamInfo(&info, js, stream.c_str(), nullptr, nullptr) ==
            NATS_OK) {
      absl::string_view name;
      if (info->Cluster != nullptr && info->Cluster->Leader != nullptr)
        name = info->Cluster->Leader;
      // Servers are named "n<i>" (Launch).
      if (!absl::ConsumePrefix(&name, "n") || !absl::SimpleAtoi(name, &leader))
        leader = -1;
      jsStreamInfo_Destroy(info);
    }
    if (js != nullptr) jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    if (leader >= 0) return leader;
  }
  return -1;
}

NatsServers::~NatsServers() {
  for (int i = 0; i < n_; ++i) Kill(i);
}

}  // namespace nw::testing
