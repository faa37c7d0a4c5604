// File: server/cluster/cluster_options.h
//
// How a newswatchd joins a cluster (newswatchd --cluster ...). Empty
// `servers` means single-node mode: nothing in server/cluster runs.
#ifndef NW_SERVER_CLUSTER_CLUSTER_OPTIONS_H_
#define NW_SERVER_CLUSTER_CLUSTER_OPTIONS_H_

#include <string>
#include <vector>

#include "absl/time/time.h"

namespace nw::cluster {

enum class Role { kAll, kGateway, kMatcher };

struct ClusterOptions {
  // NATS server URLs (nats://host:port). Default: none (single node).
  std::vector<std::string> servers;
  // NATS credentials file (.creds: user JWT + NKey seed). Default: none.
  std::string creds_file;
  // This node's name in leases and `admin cluster`. Default: set by the
  // daemon to host:port of its gRPC listener.
  std::string node_id;
  // gateway: serves the RPCs; matcher: also owns rule partitions and writes
  // alerts; all: both. Every role answers every RPC. Default: all.
  Role role = Role::kAll;
  // Rule partitions, fixed when the cluster is created (a node started with
  // another number is refused). Default: 16.
  int partitions = 16;
  // Replicas of every stream and bucket; 0 picks 3 when the client knows of
  // 3 or more NATS servers, else 1. Default: 0.
  int replicas = 0;
  // A partition owner that stops renewing loses it after this long; the
  // takeover time after a crash. Default: 10 s.
  absl::Duration lease = absl::Seconds(10);
  // Answer for NATS requests (publish acks, gets) before Unavailable.
  // Default: 5 s.
  absl::Duration request_timeout = absl::Seconds(5);
};

}  // namespace nw::cluster

#endif  // NW_SERVER_CLUSTER_CLUSTER_OPTIONS_H_
