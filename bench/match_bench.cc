// newswatch-bench-match: matches articles against a rule set through the rule
// index (or, with --brute-force, by evaluating every rule) and reports load and
// index build times, index memory, throughput, latency, candidates and matches.
// The last line printed is one JSON object (see bench/README.md).
//
//   newswatch-bench-match --rules RULES.jsonl[.gz] --articles ARTICLES.jsonl
//       [--limit N] [--threads T] [--brute-force] [--check EXPECTED.jsonl]
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "bench/line_reader.h"
#include "bench/rule_line.h"
#include "client/lib/article_json.h"
#include "nlohmann/json.hpp"
#include "server/index/df_cost_model.h"
#include "server/index/rule_snapshot.h"
#include "server/match/evaluator.h"
#include "server/rules/parser.h"

ABSL_FLAG(std::string, rules, "",
          "rules JSONL ({id, subscriber, rule}); .gz accepted");
ABSL_FLAG(std::string, articles, "",
          "articles JSONL (shared/data format); .gz accepted");
ABSL_FLAG(size_t, limit, 0, "match only the first N articles (0: all)");
ABSL_FLAG(int, threads, 1, "matching (and rule compiling) threads");
ABSL_FLAG(
    size_t, df_sample, 2000,
    "anchor rules by document frequency over the last N articles of --articles "
    "(0: by the static, statistics-free estimate)");
ABSL_FLAG(bool, brute_force, false,
          "evaluate every rule instead of using the index");
ABSL_FLAG(std::string, check, "",
          "expected matches JSONL ({article_id, rules}); exit 1 "
          "on any difference");

namespace nw::bench {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using RulePtr = std::shared_ptr<const index::IndexedRule>;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

size_t RssBytes() {
  std::ifstream statm("/proc/self/statm");
  size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

double ProcessCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

double ThreadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

// Runs fn(i) for i in [0, n) on `threads` threads, in contiguous slices.
// Returns the CPU time the threads used (immune to other processes' load,
// unlike wall time).
template <typename Fn>
double ParallelFor(size_t n, int threads, Fn fn) {
  std::vector<std::thread> pool;
  const size_t t = std::max(1, threads);
  std::vector<double> cpu(t);
  auto slice = [&](size_t k) {
    const double start = ThreadCpuSeconds();
    for (size_t i = n * k / t; i < n * (k + 1) / t; ++i) fn(i);
    cpu[k] = ThreadCpuSeconds() - start;
  };
  // The first slice runs on the calling thread: with one thread, no thread
  // (and no second malloc arena, which grows a page per mprotect call) at all.
  for (size_t k = 1; k < t; ++k) pool.emplace_back(slice, k);
  slice(0);
  for (std::thread& th : pool) th.join();
  double sum = 0;
  for (double c : cpu) sum += c;
  return sum;
}

std::vector<RulePtr> CompileRules(const std::vector<std::string>& lines,
                                  int threads, size_t first_line);

// Parses and compiles every rule line of `path`, a batch of lines at a time
// (the file is never held whole); exits on the first invalid one. With two
// threads or more, the next batch is read (and decompressed) while one is
// compiled.
std::vector<RulePtr> CompileRules(const std::string& path, int threads) {
  std::vector<RulePtr> rules;
  size_t first_line = 0;
  auto compile = [&](std::vector<std::string>& lines) {
    std::vector<RulePtr> batch = CompileRules(lines, threads, first_line);
    rules.insert(rules.end(), std::make_move_iterator(batch.begin()),
                 std::make_move_iterator(batch.end()));
    first_line += lines.size();
  };
  constexpr size_t kBatch = 1 << 16;
  absl::Status read;
  if (threads < 2) {
    read = ForEachLineBatch(path, kBatch, compile);
  } else {
    // One batch in flight: the reader waits for the compiler to take it.
    std::mutex mu;
    std::condition_variable cv;
    std::optional<std::vector<std::string>> ready;
    bool done = false;
    std::thread reader([&] {
      const absl::Status s =
          ForEachLineBatch(path, kBatch, [&](std::vector<std::string>& lines) {
            std::unique_lock<std::mutex> lock(mu);
            cv.wait(lock, [&] { return !ready.has_value(); });
            ready = std::move(lines);
            cv.notify_all();
          });
      std::lock_guard<std::mutex> lock(mu);
      read = s;
      done = true;
      cv.notify_all();
    });
    while (true) {
      std::vector<std::string> lines;
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return ready.has_value() || done; });
        if (!ready.has_value()) break;
        lines = *std::move(ready);
        ready.reset();
        cv.notify_all();
      }
      compile(lines);
    }
    reader.join();
  }
  if (!read.ok()) {
    std::cerr << read << "\n";
    std::exit(2);
  }
  return rules;
}

// Parses and compiles `lines` (the file's lines from `first_line`, 0-based).
std::vector<RulePtr> CompileRules(const std::vector<std::string>& lines,
                                  int threads, size_t first_line) {
  std::vector<RulePtr> rules(lines.size());
  std::atomic<size_t> bad{SIZE_MAX};
  ParallelFor(lines.size(), threads, [&](size_t i) {
    RuleLine line;
    if (!ParseRuleLine(lines[i], &line)) {  // unusual JSON: the full parser
      const json j = json::parse(lines[i], nullptr, false);
      if (j.is_discarded() || !j.contains("rule") || !j["rule"].is_string()) {
        bad = i;
        return;
      }
      line.rule = j["rule"].get<std::string>();
      line.id = j.value("id", "");
      line.subscriber = j.value("subscriber", "");
    }
    absl::StatusOr<rules::CompactRule> compiled =
        rules::ParseRuleCompact(line.rule);
    if (!compiled.ok()) {
      bad = i;
      return;
    }
    rules[i] = std::make_shared<const index::IndexedRule>(
        index::IndexedRule{std::move(line.id), std::move(line.subscriber),
                           *std::move(compiled), ""});
  });
  if (bad != SIZE_MAX) {
    std::cerr << "invalid rule line " << first_line + bad + 1 << ": "
              << lines[bad] << "\n";
    std::exit(2);
  }
  return rules;
}

struct Article {
  std::string id, title, body, source, lang;
  std::vector<std::string> tags;  // topics, then places
};

// With the client's article reader (client/lib/article_json.h), as
// `newswatch submit` reads them; exits on the first bad line.
std::vector<Article> ParseArticles(const std::vector<std::string>& lines) {
  std::vector<Article> out;
  out.reserve(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    absl::StatusOr<newswatch::v1::Article> parsed = client::ParseArticleJson(
        lines[i], absl::StrCat("article line ", i + 1));
    if (!parsed.ok()) {
      std::cerr << parsed.status().message() << "\n";
      std::exit(2);
    }
    out.push_back(Article{parsed->id(),
                          parsed->title(),
                          parsed->body(),
                          parsed->source(),
                          parsed->lang(),
                          {parsed->tags().begin(), parsed->tags().end()}});
  }
  return out;
}

match::AnalyzedArticle Analyze(const Article& a) {
  match::ArticleText text{
      .title = a.title, .body = a.body, .source = a.source, .lang = a.lang};
  for (const std::string& t : a.tags) text.tags.push_back(t);
  return match::AnalyzedArticle::Analyze(text);
}

struct ArticleResult {
  double analyze_us = 0, match_us = 0;
  uint64_t candidates = 0, evaluated = 0;
  std::vector<const index::IndexedRule*> rules;  // matched
};

// Per-article times are thread CPU time: on a shared machine, wall time would
// also count the time other processes held the core.
ArticleResult MatchOne(const Article& a, const index::RuleSnapshot& snapshot,
                       bool brute_force) {
  ArticleResult r;
  const double t0 = ThreadCpuSeconds();
  const match::AnalyzedArticle analyzed = Analyze(a);
  const double t1 = ThreadCpuSeconds();
  if (brute_force) {
    for (const RulePtr& rule : snapshot.rules()) {
      if (match::Evaluate(rule->rule, analyzed)) r.rules.push_back(rule.get());
    }
    r.candidates = r.evaluated = snapshot.size();
  } else {
    const index::MatchResult m = snapshot.MatchWithStats(analyzed);
    r.rules.reserve(m.hits.size());
    for (const index::RuleHit& h : m.hits) r.rules.push_back(h.rule);
    r.candidates = m.stats.candidates;
    r.evaluated = m.stats.evaluated;
  }
  const double t2 = ThreadCpuSeconds();
  r.analyze_us = (t1 - t0) * 1e6;
  r.match_us = (t2 - t1) * 1e6;
  return r;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  const size_t k =
      std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5));
  std::nth_element(v.begin(), v.begin() + k, v.end());
  return v[k];
}

// Rule ids ordered by rule number ("r2" before "r10"), as the expected file is.
void SortByRuleNumber(std::vector<std::string>& ids) {
  auto number = [](const std::string& id) {
    return std::atoll(id.c_str() + 1);
  };
  std::sort(ids.begin(), ids.end(),
            [&](const std::string& x, const std::string& y) {
              return number(x) != number(y) ? number(x) < number(y) : x < y;
            });
}

// Compares with the expected file; returns the number of differing articles.
size_t Check(const std::string& path, const std::vector<Article>& articles,
             const std::vector<ArticleResult>& results) {
  auto lines = ReadLines(path);
  if (!lines.ok()) {
    std::cerr << lines.status() << "\n";
    std::exit(2);
  }
  size_t diffs = 0;
  const size_t n = std::min(lines->size(), articles.size());
  for (size_t i = 0; i < n; ++i) {
    const json want = json::parse((*lines)[i]);
    std::vector<std::string> ids;
    for (const index::IndexedRule* rule : results[i].rules)
      ids.push_back(rule->id);
    SortByRuleNumber(ids);
    const json got(ids);
    if (want["article_id"] != articles[i].id || want["rules"] != got) {
      if (++diffs <= 10) {
        std::cout << "DIFF " << articles[i].id << " (expected "
                  << want["article_id"] << "): got " << got << ", want "
                  << want["rules"] << "\n";
      }
    }
  }
  std::cout << "check: " << n << " articles compared with " << path << ", "
            << diffs << " differ\n";
  return diffs;
}

template <typename T>
T OrExit(absl::StatusOr<T> v) {
  if (!v.ok()) {
    std::cerr << v.status() << "\n";
    std::exit(2);
  }
  return *std::move(v);
}

int Run() {
  const int threads = std::max(1, absl::GetFlag(FLAGS_threads));
  const bool brute = absl::GetFlag(FLAGS_brute_force);
  if (absl::GetFlag(FLAGS_rules).empty() ||
      absl::GetFlag(FLAGS_articles).empty()) {
    std::cerr
        << "usage: newswatch-bench-match --rules R.jsonl --articles A.jsonl "
           "[--limit N] [--threads T] [--brute-force] [--check E.jsonl]\n";
    return 2;
  }
  // Document frequencies (before the rules, so that the RSS figures below
  // count only what the rules and their index hold) from a sample of "recent"
  // articles: the file's last N.
  std::shared_ptr<const index::DocumentFrequencyCostModel> df_costs;
  if (const size_t n = absl::GetFlag(FLAGS_df_sample); n > 0 && !brute) {
    const std::vector<Article> all =
        ParseArticles(OrExit(ReadLines(absl::GetFlag(FLAGS_articles))));
    index::DocumentFrequencyCostModel::Builder sample;
    for (size_t i = all.size() - std::min(n, all.size()); i < all.size(); ++i) {
      const match::AnalyzedArticle analyzed = Analyze(all[i]);
      sample.Add(index::ArticleTerms::Collect(analyzed));
    }
    df_costs = std::move(sample).Build();
    std::printf(
        "anchor costs: document frequency over the last %zu articles (%zu "
        "words)\n",
        df_costs->sample_articles(), df_costs->vocabulary());
  }
  malloc_trim(0);  // give the sample's freed memory back: RSS starts clean
  // Rules: read, parse and compile, then build the index.
  const size_t rss0 = RssBytes();
  auto t = Clock::now();
  double cpu0 = ProcessCpuSeconds();
  std::vector<RulePtr> rules =
      CompileRules(absl::GetFlag(FLAGS_rules), threads);
  const double load_s = Seconds(t);
  const double load_cpu_s = ProcessCpuSeconds() - cpu0;
  const size_t rss_rules = RssBytes();
  const size_t n_rules = rules.size();
  t = Clock::now();
  cpu0 = ProcessCpuSeconds();
  const index::RuleSnapshot snapshot(std::move(rules), threads, df_costs.get());
  const double build_s = Seconds(t);
  const double build_cpu_s = ProcessCpuSeconds() - cpu0;
  const size_t rss_index = RssBytes();
  const size_t index_bytes = snapshot.MemoryBytes();
  std::printf(
      "rules: %zu  load+compile %.2f s (%.2f s CPU, %d threads)  index build "
      "%.2f s"
      " (%.2f s CPU)\n",
      n_rules, load_s, load_cpu_s, threads, build_s, build_cpu_s);
  std::printf(
      "memory: index %.1f B/rule (capacity accounting of the index structures)"
      "; RSS delta: rules+ASTs %.1f B/rule, index %.1f B/rule\n",
      double(index_bytes) / std::max<size_t>(n_rules, 1),
      double(rss_rules - rss0) / std::max<size_t>(n_rules, 1),
      double(rss_index - rss_rules) / std::max<size_t>(n_rules, 1));
  std::printf("always-evaluated rules: %zu\n", snapshot.always_evaluated());

  const size_t limit = absl::GetFlag(FLAGS_limit);
  const std::vector<Article> articles = ParseArticles(OrExit(
      ReadLines(absl::GetFlag(FLAGS_articles), limit == 0 ? SIZE_MAX : limit)));
  std::vector<ArticleResult> results(articles.size());
  t = Clock::now();
  const double cpu_s = ParallelFor(articles.size(), threads, [&](size_t i) {
    results[i] = MatchOne(articles[i], snapshot, brute);
  });
  const double wall_s = Seconds(t);

  std::vector<double> total_us, match_us;
  double analyze_sum = 0, match_sum = 0, candidates = 0, evaluated = 0,
         matches = 0;
  for (const ArticleResult& r : results) {
    total_us.push_back(r.analyze_us + r.match_us);
    match_us.push_back(r.match_us);
    analyze_sum += r.analyze_us;
    match_sum += r.match_us;
    candidates += r.candidates;
    evaluated += r.evaluated;
    matches += r.rules.size();
  }
  const double n = std::max<size_t>(articles.size(), 1);
  const json report = {
      {"rules", n_rules},
      {"articles", articles.size()},
      {"threads", threads},
      {"mode", brute ? "brute-force" : "index"},
      {"articles_per_s", articles.size() / wall_s},
      {"cpu_articles_per_s", threads * articles.size() / cpu_s},
      {"p50_us", Percentile(total_us, 0.5)},
      {"p99_us", Percentile(total_us, 0.99)},
      {"analyze_us_per_article", analyze_sum / n},
      {"match_us_per_article", match_sum / n},
      {"match_only_articles_per_s", threads * 1e6 / (match_sum / n)},
      {"match_p50_us", Percentile(match_us, 0.5)},
      {"match_p99_us", Percentile(match_us, 0.99)},
      {"candidates_per_article", candidates / n},
      {"evaluated_per_article", evaluated / n},
      {"matches_per_article", matches / n},
      {"load_s", load_s},
      {"index_build_s", build_s},
      {"load_cpu_s", load_cpu_s},
      {"index_build_cpu_s", build_cpu_s},
      {"bytes_per_rule", double(index_bytes) / std::max<size_t>(n_rules, 1)},
      {"rss_bytes_per_rule",
       double(rss_index - rss0) / std::max<size_t>(n_rules, 1)},
      {"always_evaluated", snapshot.always_evaluated()},
  };
  std::printf(
      "articles: %zu  %.0f articles/s wall, %.0f articles/s by thread CPU "
      "time\n"
      "  per article (thread CPU time): p50 %.1f us  p99 %.1f us (analysis + "
      "match)"
      "\n  analysis %.1f us/article, match %.1f us/article (p50 %.1f, p99 %.1f)"
      "\n  candidates %.1f/article, evaluated %.1f/article, matches "
      "%.2f/article\n",
      articles.size(), articles.size() / wall_s,
      threads * articles.size() / cpu_s, Percentile(total_us, 0.5),
      Percentile(total_us, 0.99), analyze_sum / n, match_sum / n,
      Percentile(match_us, 0.5), Percentile(match_us, 0.99), candidates / n,
      evaluated / n, matches / n);
  size_t diffs = 0;
  if (!absl::GetFlag(FLAGS_check).empty()) {
    diffs = Check(absl::GetFlag(FLAGS_check), articles, results);
  }
  std::cout << report.dump() << std::endl;
  return diffs == 0 ? 0 : 1;
}

}  // namespace
}  // namespace nw::bench

int main(int argc, char** argv) {
  // Flag names are identifiers: accept the documented spellings with dashes
  // (--brute-force, --df-sample) too.
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg.substr(0, 2) != "--") continue;
    for (char* c = argv[i] + 2; *c != '\0' && *c != '='; ++c) {
      if (*c == '-') *c = '_';
    }
  }
  absl::ParseCommandLine(argc, argv);
  return nw::bench::Run();
}
