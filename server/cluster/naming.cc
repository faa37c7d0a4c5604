#include "server/cluster/naming.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace nw::cluster {

std::string Hex(absl::string_view bytes) {
  return bytes.empty() ? "_" : absl::BytesToHexString(bytes);
}

std::string Unhex(absl::string_view hex) {
  return hex == "_" ? "" : absl::HexStringToBytes(hex);
}

int PartitionOf(absl::string_view subscriber, int partitions) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : subscriber) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return static_cast<int>(h % static_cast<uint64_t>(partitions));
}

std::string AlertSubject(int partition, absl::string_view subscriber) {
  return absl::StrCat("nw.alr.", partition, ".", Hex(subscriber));
}

std::string LiveSubject(int partition, absl::string_view subscriber) {
  return absl::StrCat("nw.live.", partition, ".", Hex(subscriber));
}

std::string OwnerKey(int partition) { return absl::StrCat("p", partition); }
std::string NodeKey(absl::string_view node_id) {
  return absl::StrCat("node.", Hex(node_id));
}
std::string CheckpointKey(int partition) {
  return absl::StrCat("ckpt.p", partition);
}

}  // namespace nw::cluster
