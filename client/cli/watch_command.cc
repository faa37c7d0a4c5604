// newswatch watch --subscriber S [--from CURSOR] [--cursor-file F] [--live]
//                 [--json] [--idle-timeout D]
#include <signal.h>

#include <atomic>
#include <ctime>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "client/cli/cli_common.h"
#include "client/cli/commands.h"
#include "client/lib/alert_format.h"
#include "client/lib/alert_subscription.h"
#include "client/lib/channel.h"
#include "client/lib/connect_error.h"
#include "client/lib/cursor_file.h"
#include "server/base/duration.h"

namespace nw::client::cli {
namespace {

constexpr char kUsage[] =
    "usage: newswatch watch --subscriber S [--from CURSOR] [--cursor-file F]\n"
    "                       [--live] [--json] [--idle-timeout DURATION]\n"
    "Prints the subscriber's stored alerts after CURSOR, then new ones as "
    "they\n"
    "come, one a line:\n"
    "  #cursor  published  source  article_id  title  [rule labels]\n"
    "(a rule without a label by its id) followed by up to 3 indented snippet\n"
    "lines (the matched words in [brackets]). With --json: one JSON object a\n"
    "line instead, with every snippet.\n"
    "When the stream breaks (daemon restarted, network lost) watch reconnects\n"
    "with backoff (100 ms doubling to 5 s) and resumes after the last alert "
    "it\n"
    "printed: none is missed or printed twice. --cursor-file keeps that "
    "cursor\n"
    "across runs (read at start when the file exists, rewritten atomically\n"
    "within 100 ms of each alert and on exit). Exits 1 when the cursor is\n"
    "older than the daemon's retention (OUT_OF_RANGE) or the request is bad,\n"
    "and, before it ever connected, when nothing listens on the server (5\n"
    "attempts) or the TLS settings do not match the daemon's; 0 on\n"
    "SIGINT/SIGTERM or when stdout closes.\n";

constexpr size_t kSnippetLines = 3;

// Prints one alert, human-readable, with its snippets; an alert stored before
// alerts carried snippets gets them cut from its article.
void PrintHuman(NewswatchClient& client, const v1::Alert& alert) {
  std::cout << FormatAlertLine(alert) << "\n";
  if (HasSnippets(alert)) {
    for (const std::string& line : FormatSnippetLines(alert, kSnippetLines)) {
      std::cout << line << "\n";
    }
    std::cout << std::flush;
    return;
  }
  bool any_highlight = false;
  for (const auto& match : alert.matches()) {
    any_highlight = any_highlight || match.highlights_size() > 0;
  }
  if (any_highlight) {
    absl::StatusOr<v1::Article> article = client.GetArticle(alert.article_id());
    if (article.ok()) {
      std::vector<std::string> lines = FormatHighlightLines(alert, *article);
      if (lines.size() > kSnippetLines) lines.resize(kSnippetLines);
      for (const std::string& line : lines) std::cout << line << "\n";
    } else {
      std::cout << "    (no snippets: " << article.status().message() << ")\n";
    }
  }
  std::cout << std::flush;
}

// Calls subscription.Stop() on SIGINT or SIGTERM until Disarm(). The signals
// must already be blocked in every thread (see RunWatch).
class StopOnSignal {
 public:
  explicit StopOnSignal(AlertSubscription& subscription)
      : thread_([this, &subscription] {
          sigset_t set;
          sigemptyset(&set);
          sigaddset(&set, SIGINT);
          sigaddset(&set, SIGTERM);
          const timespec tick = {.tv_sec = 0, .tv_nsec = 100'000'000};
          while (!done_.load()) {
            if (sigtimedwait(&set, nullptr, &tick) > 0) {
              subscription.Stop();
              return;
            }
          }
        }) {}
  ~StopOnSignal() {
    done_.store(true);
    thread_.join();
  }

 private:
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// Says on stderr when the subscription is connected and to what, and why it
// reconnects, one short line each. Before the first connection it gives up
// (Stop()) on what retrying will not fix: nothing listening on the port after
// kGiveUpAttempts, or a TLS mismatch at once; once connected it retries
// forever (a daemon restart).
class ReconnectReporter {
 public:
  static constexpr int kGiveUpAttempts = 5;

  ReconnectReporter(AlertSubscription& subscription,
                    const AlertSubscriptionOptions& options)
      : options_(options) {
    subscription.OnConnected([this, &subscription](const std::string& server) {
      connected_ = true;
      std::cerr << "newswatch: watch: connected to " << server
                << (options_.security.tls() ? " (TLS)" : "") << ", subscriber "
                << (options_.subscriber.empty() ? "of the token"
                                                : options_.subscriber)
                << ", alerts after cursor " << subscription.last_cursor()
                << std::endl;
    });
    subscription.OnReconnect([this, &subscription](const ReconnectEvent& e) {
      const ConnectDiagnosis diagnosis =
          DiagnoseConnectError(e.cause, options_.server, options_.security);
      std::string reason =
          diagnosis.problem != ConnectProblem::kNone
              ? diagnosis.message
              : absl::StrCat(connected_ ? "stream lost: " : "",
                             absl::StatusCodeToString(e.cause.code()), ": ",
                             e.cause.message());
      if (reason.size() > 160) reason = reason.substr(0, 157) + "...";
      if (!connected_ &&
          (diagnosis.settings_problem() ||
           (diagnosis.problem == ConnectProblem::kNothingListening &&
            e.attempt >= kGiveUpAttempts))) {
        gave_up_ = diagnosis.settings_problem()
                       ? reason
                       : absl::StrCat(reason, "; gave up after ", e.attempt,
                                      " attempts");
        subscription.Stop();
        return;
      }
      std::cerr << "newswatch: watch: " << reason << "; reconnecting in "
                << absl::FormatDuration(
                       absl::Trunc(e.delay, absl::Milliseconds(1)))
                << " (attempt " << e.attempt << ")" << std::endl;
    });
  }

  // Why the watch gave up; empty when it did not.
  const std::string& gave_up() const { return gave_up_; }

 private:
  const AlertSubscriptionOptions& options_;
  bool connected_ = false;  // callbacks run on Run()'s thread only
  std::string gave_up_;
};

// The starting cursor: the cursor file's when it exists, else --from.
absl::StatusOr<std::optional<uint64_t>> StartCursor(const ParsedArgs& a) {
  if (a.Has("cursor-file")) {
    absl::StatusOr<std::optional<uint64_t>> saved =
        ReadCursorFile(a.Get("cursor-file"));
    if (!saved.ok() || saved->has_value()) return saved;
  }
  if (!a.Has("from")) return std::optional<uint64_t>();
  uint64_t cursor = 0;
  if (!absl::SimpleAtoi(a.Get("from"), &cursor)) {
    return absl::InvalidArgumentError("--from takes a cursor number");
  }
  return std::optional<uint64_t>(cursor);
}

}  // namespace

int RunWatch(const std::vector<std::string>& args) {
  CommandArgs cmd = ParseCommandArgs(
      args,
      {{"subscriber", "S",
        "whose alerts (required, except with an analyst token: its "
        "subscriber)"},
       {"from", "CURSOR", "start after this cursor (default 0: every alert)"},
       {"cursor-file", "F",
        "resume from the cursor saved in F (over --from) and save the last "
        "printed one there"},
       {"live", "", "skip stored alerts; only new ones"},
       {"json", "", "one JSON object per alert"},
       {"idle-timeout", "DURATION",
        "reconnect when nothing (not even a heartbeat) came for this long "
        "(default 45s; 0 never)"}},
      kUsage);
  if (cmd.exit_code >= 0) return cmd.exit_code;
  const ParsedArgs& a = cmd.parsed;
  // With a token the daemon takes an analyst token's own subscriber.
  if ((a.Get("subscriber").empty() && SecurityFromArgs(a).token.empty()) ||
      !a.positional.empty()) {
    return UsageError("watch needs --subscriber and no arguments", kUsage);
  }
  absl::StatusOr<std::optional<uint64_t>> start = StartCursor(a);
  if (!start.ok()) {
    if (absl::IsInvalidArgument(start.status()) && !a.Has("cursor-file")) {
      return UsageError(start.status().message(), kUsage);
    }
    return Fail("watch", start.status());
  }
  AlertSubscriptionOptions options;
  options.server = a.Get("server", kDefaultServer);
  options.security = SecurityFromArgs(a);
  options.subscriber = a.Get("subscriber");
  options.from_cursor = start->value_or(0);
  options.live_only = a.GetBool("live") && !start->has_value();
  if (a.Has("idle-timeout")) {
    absl::StatusOr<absl::Duration> idle =
        base::ParseHumanDuration(a.Get("idle-timeout"));
    if (!idle.ok()) return UsageError(idle.status().message(), kUsage);
    options.idle_timeout = *idle;
  }
  const bool json = a.GetBool("json");

  // SIGINT/SIGTERM end the watch cleanly (the cursor file is flushed): block
  // them before any thread starts, so only StopOnSignal's sigtimedwait sees
  // them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::unique_ptr<CursorFileWriter> cursor_file;
  if (a.Has("cursor-file")) {
    cursor_file = std::make_unique<CursorFileWriter>(a.Get("cursor-file"),
                                                     absl::Milliseconds(100));
  }
  // For the snippets of the human format (GetArticle).
  std::unique_ptr<NewswatchClient> client;
  if (!json) {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        NewChannel(options.server, options.security, grpc::ChannelArguments());
    if (!channel.ok()) return Fail("watch", channel.status());
    client = NewswatchClient::FromChannel(
        *std::move(channel), ClientOptions{.server = options.server});
  }
  AlertSubscription subscription(options);
  ReconnectReporter reporter(subscription, options);
  absl::Status status;
  {
    StopOnSignal stop_on_signal(subscription);
    status = subscription.Run([&](const v1::Alert& alert) {
      if (json) {
        std::cout << FormatAlertJson(alert) << std::endl;
      } else {
        PrintHuman(*client, alert);
      }
      if (!std::cout) return false;  // stdout is gone
      if (cursor_file != nullptr) cursor_file->Update(alert.cursor());
      return true;
    });
  }
  if (cursor_file != nullptr) {
    absl::Status saved = cursor_file->Flush();
    if (!saved.ok()) Fail("watch: cursor file", saved);
    if (status.ok() && !saved.ok()) return kExitFailure;
  }
  if (!status.ok()) return Fail("watch", status);
  if (!reporter.gave_up().empty()) {
    std::cerr << "newswatch: watch: " << reporter.gave_up() << std::endl;
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace nw::client::cli
