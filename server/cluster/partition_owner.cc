#include "server/cluster/partition_owner.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "server/base/log.h"
#include "server/cluster/naming.h"

namespace nw::cluster {

absl::StatusOr<std::unique_ptr<PartitionOwner>> PartitionOwner::Start(
    NatsClient& nats, ClusterRuleBook& rules, const ClusterOptions& options,
    bool match) {
  absl::StatusOr<kvStore*> owners =
      nats.Bucket({.name = kOwnersBucket, .ttl = options.lease});
  if (!owners.ok()) return owners.status();
  absl::StatusOr<kvStore*> meta = nats.Bucket({.name = kMetaBucket});
  if (!meta.ok()) return meta.status();
  auto owner = std::unique_ptr<PartitionOwner>(
      new PartitionOwner(nats, rules, options, match, *owners, *meta));
  if (match) owner->loop_ = std::thread([o = owner.get()] { o->Loop(); });
  return owner;
}

PartitionOwner::~PartitionOwner() {
  stop_.Notify();
  if (loop_.joinable()) loop_.join();
  // All at once: each may be waiting out a NATS request timeout.
  for (auto& [p, held] : held_) held.worker->RequestStop();
  // Without NATS, handing back would only time out (a request timeout per
  // partition): the leases expire instead.
  bool reachable = nats_.connected();
  while (!held_.empty()) {
    reachable = reachable && nats_.connected();
    if (!Release(held_.begin()->first, reachable)) reachable = false;
  }
  if (match_ && reachable)
    (void)kvStore_Delete(owners_, NodeKey(options_.node_id).c_str());
}

void PartitionOwner::Loop() {
  const absl::Duration tick =
      std::max(options_.lease / 4, absl::Milliseconds(50));
  do {
    Tick();
  } while (!stop_.WaitForNotificationWithTimeout(tick));
}

bool PartitionOwner::Release(int partition, bool delete_key) {
  auto it = held_.find(partition);
  if (it == held_.end()) return true;
  it->second.worker->Stop();
  stats_[partition]->owned = false;
  stats_[partition]->lag = 0;
  if (delete_key) {
    // Only if still ours: a compare-and-set delete is not in cnats 3.4, so
    // the key is overwritten by revision first, then deleted.
    uint64_t revision = 0;
    const natsStatus s =
        kvStore_UpdateString(&revision, owners_, OwnerKey(partition).c_str(),
                             "", it->second.revision);
    if (s == NATS_OK) {
      (void)kvStore_Delete(owners_, OwnerKey(partition).c_str());
    } else if (s == NATS_TIMEOUT || !nats_.connected()) {
      held_.erase(it);
      return false;
    }
  }
  held_.erase(it);
  return true;
}

void PartitionOwner::Tick() {
  uint64_t revision = 0;
  if (kvStore_PutString(&revision, owners_, NodeKey(options_.node_id).c_str(),
                        "matcher") != NATS_OK) {
    return;  // NATS unreachable: leases run out; appends are fenced anyway
  }
  // Renew first: a failure means someone else may own it now.
  for (auto it = held_.begin(); it != held_.end();) {
    const int p = it->first;
    if (kvStore_UpdateString(&revision, owners_, OwnerKey(p).c_str(),
                             options_.node_id.c_str(),
                             it->second.revision) == NATS_OK) {
      it->second.revision = revision;
      ++it;
      continue;
    }
    base::LogWarning(
        "cluster", "partition lease lost; matching stopped",
        {{"partition", absl::StrCat(p)}, {"node", options_.node_id}});
    ++it;
    Release(p, /*delete_key=*/false);
  }
  kvKeysList keys{};
  if (kvStore_Keys(&keys, owners_, nullptr) != NATS_OK) return;
  std::vector<std::string> nodes;
  std::vector<bool> taken(options_.partitions, false);
  for (int i = 0; i < keys.Count; ++i) {
    absl::string_view key = keys.Keys[i];
    int p = 0;
    if (absl::ConsumePrefix(&key, "node.")) {
      nodes.push_back(Unhex(key));
    } else if (absl::ConsumePrefix(&key, "p") && absl::SimpleAtoi(key, &p) &&
               p >= 0 && p < options_.partitions) {
      taken[p] = true;
    }
  }
  kvKeysList_Destroy(&keys);
  std::sort(nodes.begin(), nodes.end());
  if (nodes.empty()) nodes.push_back(options_.node_id);
  const size_t n = nodes.size();
  const size_t target = (options_.partitions + n - 1) / n;
  auto preferred = [&](int p) { return nodes[p % n] == options_.node_id; };
  // Hand back what another node prefers while over the fair share.
  for (int p = 0; p < options_.partitions && held_.size() > target; ++p) {
    if (held_.contains(p) && !preferred(p)) Release(p, /*delete_key=*/true);
  }
  for (int p = 0; p < options_.partitions; ++p) {
    if (taken[p] || held_.contains(p)) continue;
    if (!preferred(p) && held_.size() >= target) continue;
    if (kvStore_CreateString(&revision, owners_, OwnerKey(p).c_str(),
                             options_.node_id.c_str()) != NATS_OK) {
      continue;  // someone was quicker
    }
    auto worker = std::make_unique<PartitionWorker>(nats_, rules_, meta_, p,
                                                    stats_[p], cache_);
    stats_[p]->owned = true;
    worker->Start();
    held_[p] = Held{.revision = revision, .worker = std::move(worker)};
    base::LogInfo("cluster", "partition claimed",
                  {{"partition", absl::StrCat(p)}, {"node", options_.node_id}});
  }
}

absl::StatusOr<ClusterSnapshot> PartitionOwner::Snapshot() const {
  ClusterSnapshot snapshot;
  const std::vector<size_t> rules = rules_.RulesPerPartition();
  kvKeysList keys{};
  natsStatus s = kvStore_Keys(&keys, owners_, nullptr);
  if (s != NATS_OK && s != NATS_NOT_FOUND)
    return FromNats(s, static_cast<jsErrCode>(0), "reading the owners");
  for (int i = 0; i < keys.Count; ++i) {
    absl::string_view key = keys.Keys[i];
    if (absl::ConsumePrefix(&key, "node."))
      snapshot.nodes.push_back(Unhex(key));
  }
  kvKeysList_Destroy(&keys);
  std::sort(snapshot.nodes.begin(), snapshot.nodes.end());
  jsStreamInfo* info = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  if (js_GetStreamInfo(&info, nats_.js(), kArticleStream, nullptr, &jerr) ==
      NATS_OK) {
    snapshot.last_article = info->State.LastSeq;
    jsStreamInfo_Destroy(info);
  }
  for (int p = 0; p < options_.partitions; ++p) {
    PartitionInfo part{.partition = p, .rules = rules[p]};
    kvEntry* entry = nullptr;
    if (kvStore_Get(&entry, owners_, OwnerKey(p).c_str()) == NATS_OK) {
      part.owner = kvEntry_ValueString(entry);
      kvEntry_Destroy(entry);
    }
    if (kvStore_Get(&entry, meta_, CheckpointKey(p).c_str()) == NATS_OK) {
      (void)absl::SimpleAtoi(kvEntry_ValueString(entry), &part.checkpoint);
      kvEntry_Destroy(entry);
    }
    snapshot.partitions.push_back(std::move(part));
  }
  return snapshot;
}

}  // namespace nw::cluster
