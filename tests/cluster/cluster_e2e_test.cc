// Cluster mode end to end: real nats-server processes and real newswatchd
// nodes on 127.0.0.1 (free ports, temp dirs), each test bounded in time.
// The oracle is a single-node newswatchd fed the same rules and articles:
// per subscriber, the cluster must hold the same alerts with cursors 1..N,
// checked both through Subscribe and in the raw NATS log.
#include <nats/nats.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/cluster/naming.h"
#include "tests/cluster/nats_fixture.h"
#include "tests/testutil/daemon_process.h"
#include "tests/testutil/e2e_client.h"
#include "tests/testutil/health_client.h"
#include "tests/testutil/http_client.h"
#include "tests/testutil/metrics_text.h"

namespace nw::testing {
namespace {

namespace v1 = newswatch::v1;
using Clock = std::chrono::steady_clock;

constexpr int kPartitions = 4;
constexpr char kLease[] = "2s";

// Subscribers and their rules: spread over the partitions, most articles
// match someone.
const std::vector<std::pair<std::string, std::string>>& Rules() {
  static const auto* rules =
      new std::vector<std::pair<std::string, std::string>>{
          {"ana", "shares"},
          {"ana", "stake OR merger"},
          {"bo", "crude OR petroleum"},
          {"chen", "company AND agreed"},
          {"dara", "market"},
          {"eli", "price OR prices"},
          {"femi", "acquire OR acquisition OR acquired"},
          {"gus", "dlrs"},
          {"hana", "exchange"}};
  return *rules;
}

std::vector<std::string> Subscribers() {
  std::vector<std::string> out;
  for (const auto& [s, q] : Rules())
    if (out.empty() || out.back() != s) out.push_back(s);
  return out;
}

// What a user relies on in one alert: its cursor, article and matches.
std::string Describe(const v1::Alert& a) {
  std::string s = absl::StrCat(a.cursor(), " ", a.article_id(), " [",
                               absl::StrJoin(a.rule_ids(), ","), "]",
                               a.backfill() ? " backfill" : "");
  for (const v1::RuleMatch& m : a.matches()) {
    for (const v1::Highlight& h : m.highlights())
      absl::StrAppend(&s, " ", h.field(), ":", h.begin(), "-", h.end());
  }
  return s;
}

std::vector<std::string> Describe(const std::vector<v1::Alert>& alerts) {
  std::vector<std::string> out;
  for (const v1::Alert& a : alerts) out.push_back(Describe(a));
  return out;
}

// Rule ids differ between daemons ("r-<n>" per daemon); map them to the
// query's index so alerts compare.
std::vector<v1::Alert> Normalize(
    std::vector<v1::Alert> alerts,
    const std::map<std::string, std::string>& ids) {
  for (v1::Alert& a : alerts) {
    for (auto& r : *a.mutable_rule_ids()) r = ids.at(r);
    for (auto& m : *a.mutable_matches()) m.set_rule_id(ids.at(m.rule_id()));
    // Alerts list rules sorted by id, and ids are random: sort by the mapped
    // names so two daemons' alerts compare.
    std::sort(a.mutable_rule_ids()->begin(), a.mutable_rule_ids()->end());
    std::sort(a.mutable_matches()->begin(), a.mutable_matches()->end(),
              [](const v1::RuleMatch& x, const v1::RuleMatch& y) {
                return x.rule_id() < y.rule_id();
              });
  }
  return alerts;
}

std::map<std::string, std::string> AddRules(Client& client) {
  std::map<std::string, std::string> ids;
  int i = 0;
  for (const auto& [subscriber, query] : Rules()) {
    v1::WatchRule rule;
    grpc::Status s = client.CreateRule(subscriber, query, &rule);
    EXPECT_TRUE(s.ok()) << s.error_message();
    ids[rule.id()] = absl::StrCat("q", i++);
  }
  return ids;
}

// Every cursor of `subscriber` as stored in NW_ALERTS, read straight from
// NATS (DirectGet NextBySubject), whatever Subscribe would make of it.
std::vector<v1::Alert> RawLog(const std::string& urls,
                              const std::string& subscriber) {
  std::vector<v1::Alert> out;
  natsConnection* nc = nullptr;
  natsOptions* opts = nullptr;
  natsOptions_Create(&opts);
  std::vector<std::string> list = absl::StrSplit(urls, ',');
  std::vector<const char*> servers;
  for (const auto& u : list) servers.push_back(u.c_str());
  natsOptions_SetServers(opts, servers.data(),
                         static_cast<int>(servers.size()));
  if (natsConnection_Connect(&nc, opts) != NATS_OK) {
    natsOptions_Destroy(opts);
    ADD_FAILURE() << "cannot connect to NATS";
    return out;
  }
  natsOptions_Destroy(opts);
  jsCtx* js = nullptr;
  natsConnection_JetStream(&js, nc, nullptr);
  const std::string subject = cluster::AlertSubject(
      cluster::PartitionOf(subscriber, kPartitions), subscriber);
  jsDirectGetMsgOptions o;
  jsDirectGetMsgOptions_Init(&o);
  o.Sequence = 1;
  o.NextBySubject = subject.c_str();
  natsMsg* m = nullptr;
  while (js_DirectGetMsg(&m, js, cluster::kAlertStream, nullptr, &o) ==
         NATS_OK) {
    const char* seq = nullptr;
    natsMsgHeader_Get(m, "Nats-Sequence", &seq);
    v1::Alert a;
    a.ParseFromArray(natsMsg_GetData(m), natsMsg_GetDataLength(m));
    out.push_back(a);
    o.Sequence = std::stoull(seq) + 1;
    natsMsg_Destroy(m);
  }
  jsCtx_Destroy(js);
  natsConnection_Destroy(nc);
  return out;
}

// partition -> owner node, from NW_OWNERS.
std::map<int, std::string> Owners(const std::string& urls) {
  std::map<int, std::string> owners;
  natsConnection* nc = nullptr;
  const std::string first = urls.substr(0, urls.find(','));
  if (natsConnection_ConnectTo(&nc, first.c_str()) != NATS_OK) return owners;
  jsCtx* js = nullptr;
  natsConnection_JetStream(&js, nc, nullptr);
  kvStore* kv = nullptr;
  if (js_KeyValue(&kv, js, cluster::kOwnersBucket) == NATS_OK) {
    for (int p = 0; p < kPartitions; ++p) {
      kvEntry* e = nullptr;
      if (kvStore_Get(&e, kv, cluster::OwnerKey(p).c_str()) == NATS_OK) {
        if (*kvEntry_ValueString(e)) owners[p] = kvEntry_ValueString(e);
        kvEntry_Destroy(e);
      }
    }
    kvStore_Destroy(kv);
  }
  jsCtx_Destroy(js);
  natsConnection_Destroy(nc);
  return owners;
}

// Waits (bounded) until `pred(owners)` holds; false on timeout.
template <typename Pred>
bool AwaitOwners(const std::string& urls, Pred pred, int seconds = 20) {
  const auto deadline = Clock::now() + std::chrono::seconds(seconds);
  while (Clock::now() < deadline) {
    if (pred(Owners(urls))) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

int Count(const std::map<int, std::string>& owners, const std::string& node) {
  int n = 0;
  for (const auto& [p, o] : owners) n += o == node;
  return n;
}

// Waits (bounded) until every partition's checkpoint in NW_META is at
// least `seq`: every article up to it is matched; false on timeout.
bool AwaitCheckpoints(const std::string& urls, uint64_t seq) {
  natsConnection* nc = nullptr;
  const std::string first = urls.substr(0, urls.find(','));
  if (natsConnection_ConnectTo(&nc, first.c_str()) != NATS_OK) return false;
  jsCtx* js = nullptr;
  natsConnection_JetStream(&js, nc, nullptr);
  kvStore* kv = nullptr;
  bool all = false;
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  if (js_KeyValue(&kv, js, cluster::kMetaBucket) == NATS_OK) {
    while (!all && Clock::now() < deadline) {
      all = true;
      for (int p = 0; p < kPartitions && all; ++p) {
        kvEntry* e = nullptr;
        uint64_t at = 0;
        if (kvStore_Get(&e, kv, cluster::CheckpointKey(p).c_str()) == NATS_OK) {
          at = std::stoull(kvEntry_ValueString(e));
          kvEntry_Destroy(e);
        }
        all = at >= seq;
      }
      if (!all) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    kvStore_Destroy(kv);
  }
  jsCtx_Destroy(js);
  natsConnection_Destroy(nc);
  return all;
}

// CreateRule with a backfill over every stored article.
grpc::Status CreateBackfillRule(Client& client, const std::string& subscriber,
                                const std::string& query, v1::WatchRule* out) {
  grpc::ClientContext ctx;
  v1::CreateRuleRequest req;
  req.mutable_rule()->set_subscriber(subscriber);
  req.mutable_rule()->set_query(query);
  req.mutable_backfill_since()->set_seconds(1);
  return client.rules().CreateRule(&ctx, req, out);
}

// Rules added with a backfill after the articles: one for a subscriber with
// alerts already (articles she has an alert for get none), one for a
// subscriber without any.
const std::vector<std::pair<std::string, std::string>>& BackfillRules() {
  static const auto* rules =
      new std::vector<std::pair<std::string, std::string>>{
          {"ana", "company OR oil"}, {"zed", "company"}};
  return *rules;
}

class ClusterTest : public ::testing::Test {
 protected:
  // A cluster node on `nats` named `id`.
  std::unique_ptr<DaemonProcess> StartNode(
      const NatsServers& nats, const std::string& id, const std::string& role,
      const std::vector<std::string>& more_flags = {}) {
    dirs_.push_back(std::make_unique<TempDir>());
    std::vector<std::string> flags = {
        "--cluster=" + nats.urls(),
        "--node-id=" + id,
        "--role=" + role,
        absl::StrCat("--partitions=", kPartitions),
        absl::StrCat("--cluster-lease=", kLease),
        "--heartbeat-interval=1s"};
    flags.insert(flags.end(), more_flags.begin(), more_flags.end());
    absl::StatusOr<std::unique_ptr<DaemonProcess>> d =
        DaemonProcess::Start(DaemonBinary(), dirs_.back()->path(), flags);
    EXPECT_TRUE(d.ok()) << d.status();
    return d.ok() ? *std::move(d) : nullptr;
  }

  // The single-node answer: every subscriber's alerts for these articles.
  std::map<std::string, std::vector<std::string>> Oracle(
      const std::vector<v1::Article>& articles) {
    TempDir dir;
    absl::StatusOr<std::unique_ptr<DaemonProcess>> d =
        DaemonProcess::Start(DaemonBinary(), dir.path());
    EXPECT_TRUE(d.ok()) << d.status();
    Client client((*d)->Channel());
    std::map<std::string, std::string> ids = AddRules(client);
    for (const v1::Article& a : articles) {
      v1::ArticleAck ack;
      EXPECT_TRUE(client.Submit(a, &ack).ok());
    }
    std::map<std::string, std::vector<std::string>> out;
    for (const std::string& s : Subscribers()) {
      // Everything is committed: a live-only-free read of what is there.
      out[s] = Describe(Normalize(
          client.ReadAlerts(s, 0, 0, std::chrono::milliseconds(300)), ids));
    }
    return out;
  }

  // Checks every subscriber's alerts in the cluster against the oracle,
  // through Subscribe on `client` and in the raw log.
  void ExpectSameAsOracle(
      Client& client, const std::string& urls,
      const std::map<std::string, std::string>& ids,
      const std::map<std::string, std::vector<std::string>>& oracle) {
    for (const std::string& s : Subscribers()) {
      const std::vector<std::string>& want = oracle.at(s);
      ASSERT_FALSE(want.empty()) << s;
      std::vector<v1::Alert> got =
          client.ReadAlerts(s, 0, want.size(), std::chrono::milliseconds(300));
      EXPECT_THAT(Describe(Normalize(got, ids)),
                  ::testing::ElementsAreArray(want))
          << "subscriber " << s;
      EXPECT_THAT(Describe(Normalize(RawLog(urls, s), ids)),
                  ::testing::ElementsAreArray(want))
          << "raw log of " << s;
    }
  }

  std::vector<std::unique_ptr<TempDir>> dirs_;
};

// Verifies the cluster gives each subscriber exactly the single node's
// alerts (articles, rules, highlights, cursors 1..N), with rules and
// articles entering through different nodes, and that a resubmitted id is a
// duplicate on any node.
TEST_F(ClusterTest, SameAlertsAsSingleNode) {
  const std::vector<v1::Article> articles = LoadArticles("reuters-tm-70.jsonl");
  const auto oracle = Oracle(articles);
  NatsServers nats(1);
  ASSERT_TRUE(nats.ok());
  auto a = StartNode(nats, "a", "all");
  auto b = StartNode(nats, "b", "all");
  ASSERT_TRUE(a && b);
  Client ca(a->Channel()), cb(b->Channel());
  std::map<std::string, std::string> ids = AddRules(ca);
  std::this_thread::sleep_for(std::chrono::seconds(1));  // rules everywhere
  std::vector<v1::ArticleAck> acks;
  for (size_t i = 0; i < articles.size(); ++i) {
    v1::ArticleAck ack;
    grpc::Status s = (i % 2 ? cb : ca).Submit(articles[i], &ack);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_FALSE(ack.duplicate());
    acks.push_back(ack);
  }
  ExpectSameAsOracle(cb, nats.urls(), ids, oracle);
  v1::ArticleAck again;
  ASSERT_TRUE(cb.Submit(articles[0], &again).ok());
  EXPECT_TRUE(again.duplicate());
  EXPECT_EQ(again.sequence(), acks[0].sequence());
  v1::Article stored;
  ASSERT_TRUE(cb.GetArticle(articles[0].id(), &stored).ok());
  EXPECT_EQ(stored.title(), articles[0].title());
}

// Verifies Subscribe(from_cursor) on another node continues exactly after
// the cursor the client had on the first: no gap, no duplicate.
TEST_F(ClusterTest, ResumeOnAnotherNode) {
  NatsServers nats(1);
  ASSERT_TRUE(nats.ok());
  auto a = StartNode(nats, "a", "all");
  auto b = StartNode(nats, "b", "gateway");
  ASSERT_TRUE(a && b);
  Client ca(a->Channel()), cb(b->Channel());
  v1::WatchRule rule;
  ASSERT_TRUE(ca.CreateRule("ana", "pipeline", &rule).ok());
  std::this_thread::sleep_for(std::chrono::seconds(1));
  for (const v1::Article& art : PipelineArticles("p", 10)) {
    v1::ArticleAck ack;
    ASSERT_TRUE(ca.Submit(art, &ack).ok());
  }
  std::vector<v1::Alert> first =
      ca.ReadAlerts("ana", 0, 4, std::chrono::milliseconds(0));
  ASSERT_GE(first.size(), 4u);
  const uint64_t k = first[3].cursor();
  ASSERT_EQ(k, 4u);
  // Live part: more articles while the second reader is connected.
  std::thread more([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    for (const v1::Article& art : PipelineArticles("q", 5)) {
      v1::ArticleAck ack;
      EXPECT_TRUE(ca.Submit(art, &ack).ok());
    }
  });
  std::vector<v1::Alert> rest =
      cb.ReadAlerts("ana", k, 11, std::chrono::milliseconds(300));
  more.join();
  ASSERT_EQ(rest.size(), 11u);
  for (size_t i = 0; i < rest.size(); ++i)
    EXPECT_EQ(rest[i].cursor(), k + 1 + i);
  EXPECT_EQ(rest[0].article_id(), "p-4");
  EXPECT_EQ(rest.back().article_id(), "q-4");
}

// Verifies a matcher killed (SIGKILL) mid-ingest loses and duplicates
// nothing: the survivor takes its partitions over within the lease and the
// alerts equal the single node's.
TEST_F(ClusterTest, MatcherKilledMidIngest) {
  const std::vector<v1::Article> articles = LoadArticles("reuters-tm-70.jsonl");
  const auto oracle = Oracle(articles);
  NatsServers nats(1);
  ASSERT_TRUE(nats.ok());
  auto a = StartNode(nats, "a", "all");
  auto b = StartNode(nats, "b", "matcher");
  ASSERT_TRUE(a && b);
  Client ca(a->Channel());
  std::map<std::string, std::string> ids = AddRules(ca);
  ASSERT_TRUE(AwaitOwners(nats.urls(), [](const auto& o) {
    return Count(o, "a") == kPartitions / 2 && Count(o, "b") == kPartitions / 2;
  })) << "partitions never split between the two matchers";
  std::this_thread::sleep_for(std::chrono::seconds(1));
  for (size_t i = 0; i < articles.size(); ++i) {
    if (i == articles.size() / 2) b->Kill();
    v1::ArticleAck ack;
    ASSERT_TRUE(ca.Submit(articles[i], &ack).ok());
  }
  const auto killed = Clock::now();
  ASSERT_TRUE(AwaitOwners(
      nats.urls(), [](const auto& o) { return Count(o, "a") == kPartitions; }));
  std::cout << "takeover of the killed matcher's partitions: "
            << std::chrono::duration<double>(Clock::now() - killed).count()
            << " s after the last article (lease " << kLease << ")\n";
  ExpectSameAsOracle(ca, nats.urls(), ids, oracle);
}

// Verifies a paused owner (SIGSTOP past its lease) that wakes up (SIGCONT)
// cannot write: its appends are fenced and the logs equal the single node's.
TEST_F(ClusterTest, ZombieOwnerIsFenced) {
  const std::vector<v1::Article> articles = LoadArticles("reuters-tm-70.jsonl");
  const auto oracle = Oracle(articles);
  NatsServers nats(1);
  ASSERT_TRUE(nats.ok());
  auto a = StartNode(nats, "a", "all");
  auto b = StartNode(nats, "b", "matcher");
  ASSERT_TRUE(a && b);
  Client ca(a->Channel());
  std::map<std::string, std::string> ids = AddRules(ca);
  ASSERT_TRUE(AwaitOwners(nats.urls(), [](const auto& o) {
    return Count(o, "b") == kPartitions / 2;
  }));
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const size_t half = articles.size() / 2;
  for (size_t i = 0; i < half / 2; ++i) {
    v1::ArticleAck ack;
    ASSERT_TRUE(ca.Submit(articles[i], &ack).ok());
  }
  // Paused with articles still to match: they reach it while it sleeps.
  kill(b->pid(), SIGSTOP);
  for (size_t i = half / 2; i < half; ++i) {
    v1::ArticleAck ack;
    ASSERT_TRUE(ca.Submit(articles[i], &ack).ok());
  }
  ASSERT_TRUE(AwaitOwners(nats.urls(), [](const auto& o) {
    return Count(o, "a") == kPartitions;
  })) << "the paused owner's leases were never taken over";
  for (size_t i = half; i < articles.size(); ++i) {
    v1::ArticleAck ack;
    ASSERT_TRUE(ca.Submit(articles[i], &ack).ok());
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));  // a caught up
  kill(b->pid(), SIGCONT);
  std::this_thread::sleep_for(std::chrono::seconds(2));  // b wakes, writes
  ExpectSameAsOracle(ca, nats.urls(), ids, oracle);
}

// Every article in NW_ARTICLES as id -> stream sequences (one each unless
// the stream holds a duplicate), read straight from NATS.
std::map<std::string, std::vector<uint64_t>> RawArticles(
    const std::string& urls) {
  std::map<std::string, std::vector<uint64_t>> out;
  natsConnection* nc = nullptr;
  natsOptions* opts = nullptr;
  natsOptions_Create(&opts);
  std::vector<std::string> list = absl::StrSplit(urls, ',');
  std::vector<const char*> servers;
  for (const auto& u : list) servers.push_back(u.c_str());
  natsOptions_SetServers(opts, servers.data(),
                         static_cast<int>(servers.size()));
  natsOptions_SetNoRandomize(opts, true);
  const natsStatus connected = natsConnection_Connect(&nc, opts);
  natsOptions_Destroy(opts);
  if (connected != NATS_OK) {
    ADD_FAILURE() << "cannot connect to NATS";
    return out;
  }
  jsCtx* js = nullptr;
  natsConnection_JetStream(&js, nc, nullptr);
  jsDirectGetMsgOptions o;
  jsDirectGetMsgOptions_Init(&o);
  o.Sequence = 1;
  o.NextBySubject = cluster::kArticleSubject;
  natsMsg* m = nullptr;
  while (js_DirectGetMsg(&m, js, cluster::kArticleStream, nullptr, &o) ==
         NATS_OK) {
    const char* seq = nullptr;
    natsMsgHeader_Get(m, "Nats-Sequence", &seq);
    v1::Article a;
    a.ParseFromArray(natsMsg_GetData(m), natsMsg_GetDataLength(m));
    o.Sequence = std::stoull(seq);
    out[a.id()].push_back(o.Sequence);
    ++o.Sequence;
    natsMsg_Destroy(m);
  }
  jsCtx_Destroy(js);
  natsConnection_Destroy(nc);
  return out;
}

// Verifies a SIGKILL of the NATS server that leads NW_ARTICLES, mid-ingest,
// with 3 servers and R3 streams: writes stall for seconds, but every
// acknowledged article is stored exactly once (senders retry a refused
// article under the same id, as a real sender does), its ack's sequence is
// the stored one, and every subscriber's alerts equal the single node's with
// cursors 1..N (no gap, no duplicate), in Subscribe and in the raw log.
TEST_F(ClusterTest, NatsLeaderKilledMidIngest) {
  const std::vector<v1::Article> articles = LoadArticles("reuters-tm-70.jsonl");
  const auto oracle = Oracle(articles);
  NatsServers nats(3);
  ASSERT_TRUE(nats.ok());
  auto a = StartNode(nats, "a", "all");
  auto b = StartNode(nats, "b", "all");
  ASSERT_TRUE(a && b);
  Client ca(a->Channel()), cb(b->Channel());
  std::map<std::string, std::string> ids = AddRules(ca);
  std::this_thread::sleep_for(std::chrono::seconds(1));  // rules everywhere
  const int leader = nats.StreamLeader(cluster::kArticleStream);
  ASSERT_GE(leader, 0) << "no leader for " << cluster::kArticleStream;
  std::map<std::string, uint64_t> acked;  // article id -> acked sequence
  double longest_stall = 0;
  int refused = 0;
  const auto give_up = Clock::now() + std::chrono::seconds(60);
  for (size_t i = 0; i < articles.size(); ++i) {
    if (i == articles.size() / 2) {
      nats.Kill(leader);
      std::cout << "killed n" << leader << ", leader of "
                << cluster::kArticleStream << ", after " << i << " articles\n";
    }
    const auto started = Clock::now();
    grpc::Status s;
    v1::ArticleAck ack;
    while (Clock::now() < give_up) {
      s = (i % 2 ? cb : ca).Submit(articles[i], &ack);
      if (s.ok()) break;
      // Refused is fine (never a false ack); anything else is a bug.
      ASSERT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE)
          << s.error_message();
      ++refused;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    ASSERT_TRUE(s.ok()) << "article " << i
                        << " never acknowledged: " << s.error_message();
    longest_stall =
        std::max(longest_stall,
                 std::chrono::duration<double>(Clock::now() - started).count());
    acked[articles[i].id()] = ack.sequence();
  }
  std::cout << "longest ingest stall: " << longest_stall << " s, " << refused
            << " refusals retried; new leader n"
            << nats.StreamLeader(cluster::kArticleStream) << "\n";
  const std::map<std::string, std::vector<uint64_t>> stored =
      RawArticles(nats.urls());
  EXPECT_EQ(stored.size(), acked.size());
  for (const auto& [id, seq] : acked) {
    auto it = stored.find(id);
    ASSERT_NE(it, stored.end()) << "acknowledged article " << id << " lost";
    EXPECT_THAT(it->second, ::testing::ElementsAre(seq))
        << "article " << id << " stored more than once or elsewhere";
  }
  ExpectSameAsOracle(cb, nats.urls(), ids, oracle);
}

// Verifies backfill in cluster mode gives what a single node gives: a rule
// created with a backfill after the articles gets one alert per stored
// article it matches that its subscriber has no alert for yet, appended
// after the subscriber's alerts with dense cursors, marked backfill, exactly
// once (Subscribe and raw log), and CreateRule reports the same count.
TEST_F(ClusterTest, BackfillLikeSingleNode) {
  const std::vector<v1::Article> articles = LoadArticles("reuters-tm-70.jsonl");
  std::map<std::string, std::vector<std::string>> want;
  std::vector<uint32_t> want_counts;
  {
    TempDir dir;
    absl::StatusOr<std::unique_ptr<DaemonProcess>> d =
        DaemonProcess::Start(DaemonBinary(), dir.path());
    ASSERT_TRUE(d.ok()) << d.status();
    Client client((*d)->Channel());
    std::map<std::string, std::string> ids = AddRules(client);
    for (const v1::Article& a : articles) {
      v1::ArticleAck ack;
      ASSERT_TRUE(client.Submit(a, &ack).ok());
    }
    for (size_t i = 0; i < BackfillRules().size(); ++i) {
      v1::WatchRule rule;
      grpc::Status s = CreateBackfillRule(client, BackfillRules()[i].first,
                                          BackfillRules()[i].second, &rule);
      ASSERT_TRUE(s.ok()) << s.error_message();
      ids[rule.id()] = absl::StrCat("bf", i);
      want_counts.push_back(rule.backfilled_alerts());
    }
    for (const auto& [s, q] : BackfillRules()) {
      want[s] = Describe(Normalize(
          client.ReadAlerts(s, 0, 0, std::chrono::milliseconds(300)), ids));
    }
  }
  NatsServers nats(1);
  ASSERT_TRUE(nats.ok());
  auto a = StartNode(nats, "a", "all");
  auto b = StartNode(nats, "b", "all");
  ASSERT_TRUE(a && b);
  Client ca(a->Channel()), cb(b->Channel());
  std::map<std::string, std::string> ids = AddRules(ca);
  std::this_thread::sleep_for(std::chrono::seconds(1));  // rules everywhere
  for (size_t i = 0; i < articles.size(); ++i) {
    v1::ArticleAck ack;
    ASSERT_TRUE((i % 2 ? cb : ca).Submit(articles[i], &ack).ok());
  }
  // Matched everywhere first, as on the single node (else the new rules
  // would see some of these articles live: also right, but not comparable).
  ASSERT_TRUE(AwaitCheckpoints(nats.urls(), articles.size()));
  for (size_t i = 0; i < BackfillRules().size(); ++i) {
    v1::WatchRule rule;
    grpc::Status s =
        CreateBackfillRule(i % 2 ? ca : cb, BackfillRules()[i].first,
                           BackfillRules()[i].second, &rule);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ids[rule.id()] = absl::StrCat("bf", i);
    EXPECT_EQ(rule.backfilled_alerts(), want_counts[i]) << rule.query();
  }
  for (const auto& [s, q] : BackfillRules()) {
    ASSERT_FALSE(want[s].empty()) << s;
    EXPECT_THAT(
        Describe(Normalize(
            ca.ReadAlerts(s, 0, want[s].size(), std::chrono::milliseconds(300)),
            ids)),
        ::testing::ElementsAreArray(want[s]))
        << "subscriber " << s;
    EXPECT_THAT(Describe(Normalize(RawLog(nats.urls(), s), ids)),
                ::testing::ElementsAreArray(want[s]))
        << "raw log of " << s;
  }
}

// This node's /metrics, parsed strictly (every family with HELP and TYPE).
ScrapedMetrics Scrape(int port) {
  absl::StatusOr<HttpResponse> r = HttpRequest(port, "GET", "/metrics");
  if (!r.ok() || r->status != 200) return {};
  absl::StatusOr<ScrapedMetrics> m = ParseMetricsText(r->body);
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? *m : ScrapedMetrics{};
}

// Verifies the per-partition metrics on each node's metrics endpoint: the
// rule count of every partition (as in NW_RULES), and for each partition the
// node owns (each owned by exactly one node) the articles it matched, its lag
// (0 once caught up) and a match time.
TEST_F(ClusterTest, PerPartitionMetrics) {
  NatsServers nats(1);
  ASSERT_TRUE(nats.ok());
  const std::vector<int> ports = {FreePort(), FreePort()};
  auto a = StartNode(nats, "a", "all",
                     {absl::StrCat("--metrics-listen=127.0.0.1:", ports[0])});
  auto b = StartNode(nats, "b", "all",
                     {absl::StrCat("--metrics-listen=127.0.0.1:", ports[1])});
  ASSERT_TRUE(a && b);
  Client ca(a->Channel());
  AddRules(ca);
  ASSERT_TRUE(AwaitOwners(nats.urls(), [](const auto& o) {
    return Count(o, "a") == kPartitions / 2 && Count(o, "b") == kPartitions / 2;
  }));
  const std::vector<v1::Article> articles = PipelineArticles("m", 12);
  for (const v1::Article& art : articles) {
    v1::ArticleAck ack;
    ASSERT_TRUE(ca.Submit(art, &ack).ok());
  }
  std::vector<int> rules(kPartitions, 0);
  for (const auto& [s, q] : Rules())
    ++rules[cluster::PartitionOf(s, kPartitions)];
  auto series = [](const std::string& name, int p) {
    return absl::StrCat("newswatch_cluster_partition_", name, "{partition=\"",
                        p, "\"}");
  };
  // Matched everywhere (bounded), then every figure is settled.
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  std::vector<ScrapedMetrics> m(2);
  bool settled = false;
  while (!settled && Clock::now() < deadline) {
    m = {Scrape(ports[0]), Scrape(ports[1])};
    settled = true;
    for (int p = 0; p < kPartitions; ++p) {
      const double matched = std::max(m[0].Get(series("articles_matched", p)),
                                      m[1].Get(series("articles_matched", p)));
      settled = settled && matched >= static_cast<double>(articles.size());
    }
    if (!settled) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(settled) << "the partitions never matched every article";
  for (int p = 0; p < kPartitions; ++p) {
    int owners = 0;
    for (int n = 0; n < 2; ++n) {
      EXPECT_EQ(m[n].Get(series("rules", p)), rules[p]) << "node " << n;
      if (m[n].Get(series("owned", p)) != 1) {
        EXPECT_EQ(m[n].Get(series("lag_articles", p)), -1);  // absent
        continue;
      }
      ++owners;
      EXPECT_EQ(m[n].Get(series("lag_articles", p)), 0) << "partition " << p;
      EXPECT_GT(m[n].Get(series("match_microseconds", p)), 0)
          << "partition " << p;
      EXPECT_EQ(m[n].types["newswatch_cluster_partition_lag_articles"],
                "gauge");
    }
    EXPECT_EQ(owners, 1) << "partition " << p;
  }
}

// The cursor of `subscriber`'s newest alert in NW_ALERTS (0: none).
uint64_t LastCursor(const std::string& urls, const std::string& subscriber) {
  natsConnection* nc = nullptr;
  const std::string first = urls.substr(0, urls.find(','));
  if (natsConnection_ConnectTo(&nc, first.c_str()) != NATS_OK) return 0;
  jsCtx* js = nullptr;
  natsConnection_JetStream(&js, nc, nullptr);
  const std::string subject = cluster::AlertSubject(
      cluster::PartitionOf(subscriber, kPartitions), subscriber);
  jsDirectGetMsgOptions o;
  jsDirectGetMsgOptions_Init(&o);
  o.LastBySubject = subject.c_str();
  natsMsg* m = nullptr;
  uint64_t cursor = 0;
  if (js_DirectGetMsg(&m, js, cluster::kAlertStream, nullptr, &o) == NATS_OK) {
    v1::Alert a;
    if (a.ParseFromArray(natsMsg_GetData(m), natsMsg_GetDataLength(m)))
      cursor = a.cursor();
    natsMsg_Destroy(m);
  }
  jsCtx_Destroy(js);
  natsConnection_Destroy(nc);
  return cursor;
}

// Verifies a backfill survives a SIGKILL of the node running it: the
// partition's next owner runs the job again (and matches the articles after
// the old owner's checkpoint live, with the rule), and the subscriber ends
// with exactly one alert per article, cursors 1..N, no article twice.
TEST_F(ClusterTest, BackfillOwnerKilledMidway) {
  constexpr int kArticles = 3000;
  NatsServers nats(1);
  ASSERT_TRUE(nats.ok());
  auto a = StartNode(nats, "a", "all");
  auto b = StartNode(nats, "b", "matcher");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(AwaitOwners(nats.urls(), [](const auto& o) {
    return Count(o, "a") == kPartitions / 2 && Count(o, "b") == kPartitions / 2;
  }));
  // A subscriber whose partition b owns: b runs its backfill.
  const std::map<int, std::string> owners = Owners(nats.urls());
  std::string subscriber;
  for (int i = 0; subscriber.empty() && i < 100; ++i) {
    const std::string s = absl::StrCat("zed", i);
    if (owners.at(cluster::PartitionOf(s, kPartitions)) == "b") subscriber = s;
  }
  ASSERT_FALSE(subscriber.empty());
  Client ca(a->Channel());
  grpc::Status submitted;
  const std::vector<v1::ArticleAck> acks =
      ca.SubmitAll(PipelineArticles("bk", kArticles), &submitted);
  ASSERT_TRUE(submitted.ok()) << submitted.error_message();
  ASSERT_EQ(acks.size(), static_cast<size_t>(kArticles));
  ASSERT_TRUE(AwaitCheckpoints(nats.urls(), kArticles));
  grpc::Status created;
  v1::WatchRule rule;
  std::thread create(
      [&] { created = CreateBackfillRule(ca, subscriber, "pipeline", &rule); });
  uint64_t at_kill = 0;
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (Clock::now() < deadline) {
    const uint64_t cursor = LastCursor(nats.urls(), subscriber);
    if (cursor >= 50) {
      b->Kill();
      at_kill = cursor;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  create.join();
  ASSERT_GT(at_kill, 0u) << "the backfill never started";
  ASSERT_LT(at_kill, static_cast<uint64_t>(kArticles))
      << "the backfill ended before the kill: nothing was tested";
  ASSERT_TRUE(created.ok()) << created.error_message();
  const std::vector<v1::Alert> log = RawLog(nats.urls(), subscriber);
  std::set<std::string> articles;
  size_t backfilled = 0;
  for (size_t i = 0; i < log.size(); ++i) {
    EXPECT_EQ(log[i].cursor(), i + 1);
    EXPECT_TRUE(articles.insert(log[i].article_id()).second)
        << "article " << log[i].article_id() << " alerted twice";
    backfilled += log[i].backfill();
  }
  EXPECT_EQ(log.size(), static_cast<size_t>(kArticles));
  EXPECT_EQ(articles.size(), static_cast<size_t>(kArticles));
  std::cout << "killed the backfilling owner at cursor " << at_kill << "; "
            << backfilled << " backfill alerts and " << log.size() - backfilled
            << " live ones (articles after its checkpoint, matched again "
               "with the rule)\n";
}

// Verifies that with 2 of 3 NATS servers down ingest is refused with
// UNAVAILABLE (never acknowledged), the health service says NOT_SERVING
// only when this node cannot reach NATS at all, and that everything flows
// again once the servers are back.
TEST_F(ClusterTest, QuorumLossRefusesIngest) {
  NatsServers nats(3);
  ASSERT_TRUE(nats.ok());
  auto a = StartNode(nats, "a", "all");
  ASSERT_TRUE(a);
  Client ca(a->Channel());
  v1::WatchRule rule;
  ASSERT_TRUE(ca.CreateRule("ana", "pipeline", &rule).ok());
  std::vector<v1::Article> arts = PipelineArticles("qa", 3);
  v1::ArticleAck ack;
  ASSERT_TRUE(ca.Submit(arts[0], &ack).ok());
  nats.Kill(1);
  nats.Kill(2);
  grpc::Status refused = ca.Submit(arts[1], &ack);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE)
      << refused.error_message();
  nats.Restart(1);
  nats.Restart(2);
  const auto deadline = Clock::now() + std::chrono::seconds(40);
  grpc::Status s;
  do {
    s = ca.Submit(arts[1], &ack);
    if (!s.ok()) std::this_thread::sleep_for(std::chrono::milliseconds(500));
  } while (!s.ok() && Clock::now() < deadline);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_TRUE(ca.Submit(arts[2], &ack).ok());
  std::vector<v1::Alert> alerts =
      ca.ReadAlerts("ana", 0, 3, std::chrono::milliseconds(300));
  ASSERT_EQ(alerts.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(alerts[i].cursor(), i + 1);
    EXPECT_EQ(alerts[i].article_id(), arts[i].id());
  }
}

// Verifies the health service reports NOT_SERVING while the node cannot
// reach NATS and SERVING again once it can.
TEST_F(ClusterTest, HealthFollowsNats) {
  NatsServers nats(1);
  ASSERT_TRUE(nats.ok());
  auto a = StartNode(nats, "a", "all");
  ASSERT_TRUE(a);
  auto channel = a->Channel();
  auto await = [&](ServingStatus want) {
    const auto deadline = Clock::now() + std::chrono::seconds(20);
    while (Clock::now() < deadline) {
      absl::StatusOr<ServingStatus> s = CheckHealth(channel, "");
      if (s.ok() && *s == want) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  };
  EXPECT_TRUE(await(ServingStatus::kServing));
  nats.Kill(0);
  EXPECT_TRUE(await(ServingStatus::kNotServing));
  v1::ArticleAck ack;
  EXPECT_EQ(
      Client(channel).Submit(PipelineArticles("h", 1)[0], &ack).error_code(),
      grpc::StatusCode::UNAVAILABLE);
  nats.Restart(0);
  EXPECT_TRUE(await(ServingStatus::kServing));
}

}  // namespace
}  // namespace nw::testing
