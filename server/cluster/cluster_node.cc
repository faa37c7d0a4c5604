#include "server/cluster/cluster_node.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/base/log.h"
#include "server/cluster/naming.h"

namespace nw::cluster {
namespace {

constexpr char kPartitionsKey[] = "partitions";

// The cluster's partition count is fixed by the first node that starts.
absl::Status CheckPartitions(NatsClient& nats, int partitions) {
  absl::StatusOr<kvStore*> meta = nats.Bucket({.name = kMetaBucket});
  if (!meta.ok()) return meta.status();
  uint64_t revision = 0;
  const std::string mine = absl::StrCat(partitions);
  if (kvStore_CreateString(&revision, *meta, kPartitionsKey, mine.c_str()) ==
      NATS_OK) {
    return absl::OkStatus();
  }
  kvEntry* entry = nullptr;
  natsStatus s = kvStore_Get(&entry, *meta, kPartitionsKey);
  if (s != NATS_OK)
    return FromNats(s, static_cast<jsErrCode>(0), "reading the partitions");
  const std::string theirs = kvEntry_ValueString(entry);
  kvEntry_Destroy(entry);
  if (theirs != mine) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--partitions ", partitions, ": the cluster was created with ", theirs,
        " partitions, which cannot change; start with --partitions ", theirs));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Role> ParseRole(absl::string_view role) {
  if (role == "all") return Role::kAll;
  if (role == "gateway") return Role::kGateway;
  if (role == "matcher") return Role::kMatcher;
  return absl::InvalidArgumentError(
      absl::StrCat("--role ", role, ": must be all, gateway or matcher"));
}

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kAll:
      return "all";
    case Role::kGateway:
      return "gateway";
    case Role::kMatcher:
      return "matcher";
  }
  return "all";
}

absl::StatusOr<std::unique_ptr<ClusterNode>> ClusterNode::Start(
    const ClusterOptions& options, alerts::SubscriptionHub& hub,
    ingest::ArticleLimits limits, size_t max_rules_per_subscriber,
    const base::Clock& clock) {
  if (options.partitions < 1 || options.partitions > 4096) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--partitions ", options.partitions, ": must be 1 to 4096"));
  }
  auto node = std::unique_ptr<ClusterNode>(new ClusterNode(options));
  absl::StatusOr<std::unique_ptr<NatsClient>> nats =
      NatsClient::Connect(options, [relay = node->health_](bool connected) {
        absl::MutexLock lock(&relay->mu);
        if (relay->listener) relay->listener(connected);
      });
  if (!nats.ok()) return nats.status();
  node->nats_ = *std::move(nats);
  if (absl::Status s = CheckPartitions(*node->nats_, options.partitions);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<std::unique_ptr<ClusterIngestor>> ingestor =
      ClusterIngestor::Create(*node->nats_, limits, clock);
  if (!ingestor.ok()) return ingestor.status();
  node->ingestor_ = *std::move(ingestor);
  if (absl::Status s = EnsureAlertStream(*node->nats_); !s.ok()) return s;
  absl::StatusOr<std::unique_ptr<ClusterRuleBook>> rules =
      ClusterRuleBook::Open(*node->nats_, options.partitions,
                            max_rules_per_subscriber);
  if (!rules.ok()) return rules.status();
  node->rules_ = *std::move(rules);
  node->reader_ =
      std::make_unique<ClusterAlertReader>(*node->nats_, options.partitions);
  absl::StatusOr<std::unique_ptr<LiveAlertFeed>> feed =
      LiveAlertFeed::Start(*node->nats_, hub);
  if (!feed.ok()) return feed.status();
  node->feed_ = *std::move(feed);
  absl::StatusOr<std::unique_ptr<PartitionOwner>> owner = PartitionOwner::Start(
      *node->nats_, *node->rules_, options, options.role != Role::kGateway);
  if (!owner.ok()) return owner.status();
  node->owner_ = *std::move(owner);
  base::LogInfo("cluster", "joined",
                {{"node", options.node_id},
                 {"role", std::string(RoleName(options.role))},
                 {"partitions", absl::StrCat(options.partitions)},
                 {"replicas", absl::StrCat(node->nats_->replicas())}});
  return node;
}

ClusterNode::~ClusterNode() {
  owner_.reset();  // hand partitions over first
  feed_.reset();
  {
    absl::MutexLock lock(&health_->mu);
    health_->listener = nullptr;
  }
  reader_.reset();
  rules_.reset();
  ingestor_.reset();
  nats_.reset();
}

absl::StatusOr<newswatch::v1::ClusterStatus> ClusterNode::Status() const {
  absl::StatusOr<ClusterSnapshot> snapshot = owner_->Snapshot();
  if (!snapshot.ok()) return snapshot.status();
  newswatch::v1::ClusterStatus status;
  status.set_node_id(options_.node_id);
  status.set_role(std::string(RoleName(options_.role)));
  for (const std::string& node : snapshot->nodes) status.add_nodes(node);
  status.set_last_article(snapshot->last_article);
  for (const PartitionInfo& p : snapshot->partitions) {
    newswatch::v1::PartitionStatus* out = status.add_partitions();
    out->set_partition(static_cast<uint32_t>(p.partition));
    out->set_owner(p.owner);
    out->set_checkpoint(p.checkpoint);
    out->set_lag(snapshot->last_article > p.checkpoint
                     ? snapshot->last_article - p.checkpoint
                     : 0);
    out->set_rules(p.rules);
  }
  return status;
}

void ClusterNode::RegisterMetrics(metrics::Registry& registry) {
  using Values = metrics::Registry::LabeledValues;
  const std::vector<std::string> labels = {"partition"};
  registry.AddCallbackGaugeFamily(
      "newswatch_cluster_partition_rules",
      "Rules of each cluster partition (this node's view of NW_RULES).", labels,
      [this] {
        Values out;
        const std::vector<size_t> counts = rules_->RulesPerPartition();
        for (size_t p = 0; p < counts.size(); ++p)
          out.push_back({{absl::StrCat(p)}, static_cast<double>(counts[p])});
        return out;
      });
  // The rest is about the partitions this node matches now.
  auto owned = [this](auto value) {
    Values out;
    const auto& stats = owner_->stats();
    for (size_t p = 0; p < stats.size(); ++p) {
      if (stats[p]->owned.load())
        out.push_back({{absl::StrCat(p)}, value(*stats[p])});
    }
    return out;
  };
  registry.AddCallbackGaugeFamily(
      "newswatch_cluster_partition_owned",
      "1 for each partition this node owns (matches and writes alerts for).",
      labels, [owned] { return owned([](auto&) { return 1.0; }); });
  registry.AddCallbackGaugeFamily(
      "newswatch_cluster_partition_lag_articles",
      "Articles in NW_ARTICLES after the last one this node matched for the "
      "partition (as of that article's delivery).",
      labels, [owned] {
        return owned([](PartitionStats& s) {
          return static_cast<double>(s.lag.load());
        });
      });
  registry.AddCallbackGaugeFamily(
      "newswatch_cluster_partition_match_microseconds",
      "Moving average (1/32) of analysis + match + alert building per "
      "article for the partition, in microseconds.",
      labels, [owned] {
        return owned([](PartitionStats& s) {
          return static_cast<double>(s.match_ns.load()) / 1000.0;
        });
      });
  registry.AddCallbackGaugeFamily(
      "newswatch_cluster_partition_articles_matched",
      "Articles this node matched for the partition since it started.", labels,
      [owned] {
        return owned([](PartitionStats& s) {
          return static_cast<double>(s.articles.load());
        });
      });
}

void ClusterNode::SetHealthListener(std::function<void(bool)> listener) {
  absl::MutexLock lock(&health_->mu);
  health_->listener = std::move(listener);
}

}  // namespace nw::cluster
