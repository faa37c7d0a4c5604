// newswatch-load: load generator for a running newswatchd.
//
//   newswatch-load --server 127.0.0.1:7411 --articles
//   ../shared/data/reuters21578.jsonl \
//       --rules ../shared/bench/rules-10k.jsonl --streams 4 --subscribers 20
//       --rate 1000
//
// Creates the rules the daemon lacks, opens the subscriber streams (live
// only), then submits articles over N SubmitArticles streams (each article a
// fresh id "<run-id>-<k>", so reruns are not duplicates) at --rate articles/s
// in total (0: as fast as acks come back). Measures ack latency at the
// senders and submit->alert latency at the subscribers, then prints a summary
// and, as the last line, one JSON object with the figures.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/load/latency_stats.h"
#include "bench/load/load_inputs.h"
#include "client/lib/newswatch_client.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/client_callback.h"
#include "nlohmann/json.hpp"

ABSL_FLAG(std::string, server, "127.0.0.1:7373", "newswatchd address");
ABSL_FLAG(
    std::string, articles, "../shared/data/reuters21578.jsonl",
    "articles, JSON Lines (cycled with fresh ids when --limit is larger)");
ABSL_FLAG(
    std::string, rules, "",
    "rules JSONL {\"id\",\"subscriber\",\"rule\"}, created before the run "
    "unless present (by id); empty: none");
ABSL_FLAG(int, streams, 4, "concurrent SubmitArticles streams");
ABSL_FLAG(int, subscribers, 0,
          "Subscribe streams for the first M subscribers of --rules");
ABSL_FLAG(int, idle_subscribers, 0,
          "extra Subscribe streams of synthetic subscribers without rules "
          "(they only hold connections)");
ABSL_FLAG(int, streams_per_connection, 100,
          "subscriber streams multiplexed on one TCP connection");
ABSL_FLAG(double, rate, 0, "articles/s in total; 0: as fast as possible");
ABSL_FLAG(int64_t, limit, 0, "articles to submit; 0: the file once");
ABSL_FLAG(absl::Duration, duration, absl::ZeroDuration(),
          "stop submitting after this long; 0: no limit");
ABSL_FLAG(int, window, 256, "unacknowledged articles per ingest stream");
ABSL_FLAG(int, daemon_pid, 0, "newswatchd's pid, for its peak RSS (VmHWM)");
ABSL_FLAG(absl::Duration, drain, absl::Seconds(10),
          "after the last ack, wait at most this long for alerts in flight "
          "(ends after 1 s without one)");
ABSL_FLAG(std::string, run_id, "", "article id prefix; default load<unix-ms>");
ABSL_FLAG(int, rule_batch, 2000,
          "rules per ImportRules batch while setting up (at most 10000)");
ABSL_FLAG(
    uint32_t, max_batch, 256,
    "SubscribeRequest.max_batch: alerts per message (1: one per message)");

namespace nw::bench {
namespace {

namespace v1 = ::newswatch::v1;

int64_t NowNs() { return absl::GetCurrentTimeNanos(); }

std::shared_ptr<grpc::Channel> OwnConnection(const std::string& server) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // its own TCP connection
  args.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel(server, grpc::InsecureChannelCredentials(),
                                   args);
}

// Shared state of a run. Submit times are indexed by article number k.
struct Run {
  std::string run_id;
  size_t capacity = 0;
  std::unique_ptr<std::atomic<int64_t>[]> submit_ns;
  int64_t start_ns = 0;

  std::atomic<size_t> next{0};
  std::atomic<size_t> submitted{0};
  std::atomic<size_t> acked{0};
  std::atomic<size_t> ack_errors{0};
  std::atomic<size_t> duplicates{0};
  std::atomic<size_t> alerts_created{0};
  std::atomic<int64_t> last_ack_ns{0};
  LatencyStats ack_latency;

  std::atomic<size_t> alerts_received{0};
  std::atomic<size_t> heartbeats{0};
  std::atomic<size_t> batches{0};  // messages that carried more than one alert
  std::atomic<size_t> connected{0};
  std::atomic<size_t> stream_failures{0};
  // Failures of streams that had connected (refused ones never connected).
  std::atomic<size_t> failures_after_connect{0};
  std::atomic<int64_t> last_alert_ns{0};
  LatencyStats alert_latency;   // submit -> received
  LatencyStats commit_latency;  // Alert.created_at -> received
  absl::Mutex error_mu;
  std::string first_stream_error ABSL_GUARDED_BY(error_mu);

  // The article number in an id "<run_id>-<k>", or -1.
  int64_t ArticleNumber(const std::string& id) const {
    if (id.size() <= run_id.size() + 1 ||
        id.compare(0, run_id.size(), run_id) != 0) {
      return -1;
    }
    int64_t k = 0;
    if (!absl::SimpleAtoi(absl::string_view(id).substr(run_id.size() + 1),
                          &k) ||
        k < 0 || static_cast<size_t>(k) >= capacity) {
      return -1;
    }
    return k;
  }
};

// One Subscribe stream on the callback API (no thread per stream).
class SubscriberStream final
    : public grpc::ClientReadReactor<v1::SubscribeResponse> {
 public:
  SubscriberStream(v1::AlertService::Stub& stub, const std::string& subscriber,
                   Run& run)
      : run_(run) {
    request_.set_subscriber(subscriber);
    request_.set_live_only(true);
    request_.set_max_batch(absl::GetFlag(FLAGS_max_batch));
    stub.async()->Subscribe(&context_, &request_, this);
    StartRead(&response_);
    StartCall();
  }
  void Cancel() { context_.TryCancel(); }
  // Waits (up to `timeout`) for OnDone.
  bool WaitDone(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(absl::Condition(&done_), timeout);
  }

  void OnReadDone(bool ok) override {
    if (!ok) return;
    const int64_t now = NowNs();
    if (!connected_) {
      connected_ = true;
      ++run_.connected;
    }
    if (response_.has_alert()) {
      Received(response_.alert(), now);
    } else if (response_.has_batch()) {
      ++run_.batches;
      for (const v1::Alert& alert : response_.batch().alerts())
        Received(alert, now);
    } else {
      ++run_.heartbeats;
    }
    StartRead(&response_);
  }
  void Received(const v1::Alert& alert, int64_t now) {
    ++run_.alerts_received;
    run_.last_alert_ns = now;
    const int64_t k = run_.ArticleNumber(alert.article_id());
    if (k >= 0) {
      const int64_t sent = run_.submit_ns[k].load();
      if (sent > 0) run_.alert_latency.Add((now - sent) / 1000);
    }
    const int64_t created = alert.created_at().seconds() * 1'000'000'000 +
                            alert.created_at().nanos();
    if (created > 0) run_.commit_latency.Add((now - created) / 1000);
  }

  void OnDone(const grpc::Status& status) override {
    if (!status.ok() && status.error_code() != grpc::StatusCode::CANCELLED) {
      ++run_.stream_failures;
      if (connected_) ++run_.failures_after_connect;
      absl::MutexLock lock(&run_.error_mu);
      if (run_.first_stream_error.empty()) {
        run_.first_stream_error =
            absl::StrCat(request_.subscriber(), ": ", status.error_code(), " ",
                         status.error_message());
      }
    }
    absl::MutexLock lock(&mu_);
    done_ = true;
  }

 private:
  Run& run_;
  grpc::ClientContext context_;
  v1::SubscribeRequest request_;
  v1::SubscribeResponse response_;
  bool connected_ = false;  // only touched by reactions, which never overlap
  absl::Mutex mu_;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
};

// One ingest stream: takes article numbers from run.next and submits them on
// schedule (article k at start + k / rate) or as fast as the window allows.
void IngestLoop(const std::string& server,
                const std::vector<v1::Article>& articles, Run& run, double rate,
                absl::Time stop_at, size_t window) {
  auto client = client::NewswatchClient::FromChannel(
      OwnConnection(server), client::ClientOptions{.server = server});
  auto bulk = client->StartBulkSubmit(
      [&run](const v1::ArticleAck& ack, const std::string& tag) {
        const int64_t now = NowNs();
        size_t k = 0;
        if (absl::SimpleAtoi(tag, &k)) {
          run.ack_latency.Add((now - run.submit_ns[k].load()) / 1000);
        }
        ++run.acked;
        if (ack.error_code() != 0) ++run.ack_errors;
        if (ack.duplicate()) ++run.duplicates;
        run.alerts_created += ack.alerts();
        run.last_ack_ns = now;
      },
      {.window = window});
  while (true) {
    const size_t k = run.next++;
    if (k >= run.capacity || absl::Now() >= stop_at) break;
    if (rate > 0) {
      const int64_t due = run.start_ns + static_cast<int64_t>(k * 1e9 / rate);
      const int64_t wait = due - NowNs();
      if (wait > 0) absl::SleepFor(absl::Nanoseconds(wait));
    }
    v1::Article article = articles[k % articles.size()];
    article.set_id(absl::StrCat(run.run_id, "-", k));
    run.submit_ns[k] = NowNs();
    absl::Status s = bulk->Submit(article, absl::StrCat(k));
    if (!s.ok()) {
      std::cerr << "newswatch-load: ingest stream failed: " << s << "\n";
      return;
    }
    ++run.submitted;
  }
  absl::Status s = bulk->Finish();
  if (!s.ok()) std::cerr << "newswatch-load: ingest stream: " << s << "\n";
}

double Ms(int64_t micros) { return micros / 1000.0; }

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "drives newswatchd with ingest and subscriber streams; see "
      "bench/load/README.md");
  std::vector<std::string> storage(argv, argv + argc);
  for (std::string& arg : storage) {  // accept --idle-subscribers as well
    if (arg.rfind("--", 0) != 0) continue;
    const size_t end = std::min(arg.find('='), arg.size());
    std::replace(arg.begin() + 2, arg.begin() + end, '-', '_');
  }
  std::vector<char*> args;
  for (std::string& arg : storage) args.push_back(arg.data());
  absl::ParseCommandLine(static_cast<int>(args.size()), args.data());

  const std::string server = absl::GetFlag(FLAGS_server);
  const int64_t limit = absl::GetFlag(FLAGS_limit);
  absl::StatusOr<std::vector<v1::Article>> articles =
      LoadArticleFile(absl::GetFlag(FLAGS_articles), 0);
  if (!articles.ok() || articles->empty()) {
    std::cerr << "newswatch-load: articles: "
              << (articles.ok() ? "none" : articles.status().ToString())
              << "\n";
    return 2;
  }
  std::vector<RuleLine> rules;
  if (!absl::GetFlag(FLAGS_rules).empty()) {
    absl::StatusOr<std::vector<RuleLine>> r =
        LoadRuleFile(absl::GetFlag(FLAGS_rules));
    if (!r.ok()) {
      std::cerr << "newswatch-load: rules: " << r.status() << "\n";
      return 2;
    }
    rules = *std::move(r);
  }
  absl::StatusOr<std::unique_ptr<client::NewswatchClient>> admin =
      client::NewswatchClient::Connect({.server = server});
  if (!admin.ok()) {
    std::cerr << "newswatch-load: " << admin.status() << "\n";
    return 1;
  }
  nlohmann::ordered_json report;
  if (!rules.empty()) {
    const absl::Time t0 = absl::Now();
    absl::StatusOr<RuleSetup> setup = CreateMissingRules(
        **admin, rules,
        static_cast<size_t>(std::max(1, absl::GetFlag(FLAGS_rule_batch))));
    if (!setup.ok()) {
      std::cerr << "newswatch-load: rules: " << setup.status() << "\n";
      return 1;
    }
    std::cerr << "rules: " << setup->created << " created, " << setup->existing
              << " already there, " << setup->failed << " failed "
              << setup->first_error << " (" << absl::Now() - t0 << ")\n";
    report["rules_created"] = setup->created;
    report["rules_failed"] = setup->failed;
  }

  Run run;
  run.run_id = absl::GetFlag(FLAGS_run_id).empty()
                   ? absl::StrCat("load", absl::ToUnixMillis(absl::Now()))
                   : absl::GetFlag(FLAGS_run_id);
  const double rate = absl::GetFlag(FLAGS_rate);
  const absl::Duration duration = absl::GetFlag(FLAGS_duration);
  if (limit > 0) {
    run.capacity = static_cast<size_t>(limit);
  } else if (duration > absl::ZeroDuration()) {
    run.capacity =
        rate > 0
            ? static_cast<size_t>(rate * absl::ToDoubleSeconds(duration)) + 1
            : size_t{20'000'000};
  } else {
    run.capacity = articles->size();
  }
  run.submit_ns.reset(new std::atomic<int64_t>[run.capacity]);

  // Subscribers: channels of --streams_per_connection streams each.
  std::vector<std::string> names = FirstSubscribers(
      rules,
      static_cast<size_t>(std::max(0, absl::GetFlag(FLAGS_subscribers))));
  for (int i = 0; i < absl::GetFlag(FLAGS_idle_subscribers); ++i) {
    names.push_back(absl::StrCat(run.run_id, "-idle-", i));
  }
  const size_t per_connection = static_cast<size_t>(
      std::max(1, absl::GetFlag(FLAGS_streams_per_connection)));
  std::vector<std::unique_ptr<v1::AlertService::Stub>> stubs;
  std::vector<std::unique_ptr<SubscriberStream>> subscribers;
  const absl::Time t_sub = absl::Now();
  for (size_t i = 0; i < names.size(); ++i) {
    if (i % per_connection == 0) {
      stubs.push_back(v1::AlertService::NewStub(OwnConnection(server)));
    }
    subscribers.push_back(
        std::make_unique<SubscriberStream>(*stubs.back(), names[i], run));
  }
  for (int i = 0;
       i < 1200 && run.connected + run.stream_failures < names.size(); ++i) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  std::cerr << "subscribers: " << run.connected << " of " << names.size()
            << " streams open (" << absl::Now() - t_sub << "), "
            << run.stream_failures << " failed\n";
  {
    absl::MutexLock lock(&run.error_mu);
    if (!run.first_stream_error.empty()) {
      std::cerr << "first subscriber stream failure: " << run.first_stream_error
                << "\n";
    }
  }

  // Ingest.
  const int streams = std::max(1, absl::GetFlag(FLAGS_streams));
  run.start_ns = NowNs();
  const absl::Time stop_at = duration > absl::ZeroDuration()
                                 ? absl::Now() + duration
                                 : absl::InfiniteFuture();
  std::vector<std::thread> senders;
  for (int i = 0; i < streams; ++i) {
    senders.emplace_back(
        IngestLoop, server, std::cref(*articles), std::ref(run), rate, stop_at,
        static_cast<size_t>(std::max(1, absl::GetFlag(FLAGS_window))));
  }
  for (std::thread& t : senders) t.join();
  const int64_t ingest_end =
      std::max<int64_t>(run.last_ack_ns, run.start_ns + 1);

  // Let alerts in flight arrive.
  const absl::Time drain_until = absl::Now() + absl::GetFlag(FLAGS_drain);
  if (!subscribers.empty()) {
    while (absl::Now() < drain_until) {
      const int64_t quiet =
          NowNs() - std::max<int64_t>(run.last_alert_ns, ingest_end);
      if (quiet > 1'000'000'000) break;
      absl::SleepFor(absl::Milliseconds(50));
    }
  }
  const size_t connected_at_end = run.connected - run.failures_after_connect;
  int64_t rss_kb = -1;
  int64_t hwm_kb = -1;
  if (const int pid = absl::GetFlag(FLAGS_daemon_pid); pid > 0) {
    absl::StatusOr<int64_t> rss = ReadProcStatusKb(pid, "VmRSS");
    absl::StatusOr<int64_t> hwm = ReadProcStatusKb(pid, "VmHWM");
    if (rss.ok()) rss_kb = *rss;
    if (hwm.ok()) hwm_kb = *hwm;
  }
  for (auto& s : subscribers) s->Cancel();
  for (auto& s : subscribers) s->WaitDone(absl::Seconds(10));

  const double ingest_s = (ingest_end - run.start_ns) / 1e9;
  const int64_t last_alert = run.last_alert_ns;
  const double alert_s = last_alert > 0 ? (last_alert - run.start_ns) / 1e9 : 0;
  report["server"] = server;
  report["streams"] = streams;
  report["rate_target"] = rate;
  report["rules"] = rules.size();
  report["articles_submitted"] = run.submitted.load();
  report["articles_acked"] = run.acked.load();
  report["ack_errors"] = run.ack_errors.load();
  report["duplicates"] = run.duplicates.load();
  report["ingest_seconds"] = ingest_s;
  report["ingest_articles_per_s"] = run.acked / ingest_s;
  report["ack_p50_ms"] = Ms(run.ack_latency.Percentile(50));
  report["ack_p99_ms"] = Ms(run.ack_latency.Percentile(99));
  report["ack_max_ms"] = Ms(run.ack_latency.Max());
  report["alerts_created_all_subscribers"] = run.alerts_created.load();
  report["subscriber_streams"] = names.size();
  report["subscriber_streams_connected"] = connected_at_end;
  report["subscriber_stream_failures"] = run.stream_failures.load();
  report["alerts_received"] = run.alerts_received.load();
  report["alert_batches_received"] = run.batches.load();
  report["alerts_per_s"] = alert_s > 0 ? run.alerts_received / alert_s : 0.0;
  report["ingest_to_alert_p50_ms"] = Ms(run.alert_latency.Percentile(50));
  report["ingest_to_alert_p99_ms"] = Ms(run.alert_latency.Percentile(99));
  report["ingest_to_alert_max_ms"] = Ms(run.alert_latency.Max());
  report["commit_to_alert_p99_ms"] = Ms(run.commit_latency.Percentile(99));
  report["daemon_rss_mb"] = rss_kb < 0
                                ? nlohmann::ordered_json()
                                : nlohmann::ordered_json(rss_kb / 1024.0);
  report["daemon_peak_rss_mb"] = hwm_kb < 0
                                     ? nlohmann::ordered_json()
                                     : nlohmann::ordered_json(hwm_kb / 1024.0);
  {
    absl::MutexLock lock(&run.error_mu);
    if (!run.first_stream_error.empty())
      report["first_stream_error"] = run.first_stream_error;
  }
  std::fprintf(
      stderr,
      "ingest: %zu acked in %.2f s = %.0f articles/s; ack p50 %.2f ms p99 %.2f "
      "ms\n"
      "alerts: %zu received (%.0f/s); submit->alert p50 %.2f ms p99 %.2f ms\n",
      run.acked.load(), ingest_s, run.acked / ingest_s,
      Ms(run.ack_latency.Percentile(50)), Ms(run.ack_latency.Percentile(99)),
      run.alerts_received.load(),
      alert_s > 0 ? run.alerts_received / alert_s : 0.0,
      Ms(run.alert_latency.Percentile(50)),
      Ms(run.alert_latency.Percentile(99)));
  std::cout << report.dump() << std::endl;
  // A failed subscriber stream makes the delivery figures meaningless too.
  return run.ack_errors == 0 && run.acked == run.submitted &&
                 run.stream_failures == 0
             ? 0
             : 1;
}

}  // namespace
}  // namespace nw::bench

int main(int argc, char** argv) { return nw::bench::Main(argc, argv); }
