// newswatch submit [FILE.jsonl ...]
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "client/cli/cli_common.h"
#include "client/cli/commands.h"
#include "client/lib/article_json.h"

namespace nw::client::cli {
namespace {

constexpr char kUsage[] =
    "usage: newswatch submit [FILE.jsonl ...]\n"
    "Streams every article (one JSON object a line; stdin when no FILE or\n"
    "for \"-\") to newswatchd, then prints\n"
    "  submitted N articles (D duplicates, E rejected) in S s, R articles/s\n"
    "N counts every non-blank line with a verdict. Rejected lines are reported "
    "on stderr as\n"
    "FILE:LINE; the exit status is 1 when any line was rejected. After 20 "
    "lines in a row\n"
    "that are not JSON objects it stops (not a JSON Lines file?). Ctrl-C "
    "stops reading,\n"
    "waits for the articles already sent and prints the summary (exit 130).\n";

// Lines in a row that are not JSON articles before submit stops: a README
// or a CSV given by mistake, not a few bad lines in a real feed.
constexpr int kMaxConsecutiveBadLines = 20;

// "1 article", "2 articles".
std::string Count(size_t n, absl::string_view noun) {
  return absl::StrCat(n, " ", noun, n == 1 ? "" : "s");
}

// SIGINT/SIGTERM set `interrupted` (submit then stops reading and finishes
// the stream); a second one, or the stream not finishing within 3 s, exits
// at once with `on_abort`'s summary. The signals must be blocked in every
// thread before this starts.
class InterruptWatcher {
 public:
  explicit InterruptWatcher(std::function<void()> on_abort)
      : thread_([this, on_abort = std::move(on_abort)] {
          sigset_t set;
          sigemptyset(&set);
          sigaddset(&set, SIGINT);
          sigaddset(&set, SIGTERM);
          const timespec tick = {.tv_sec = 0, .tv_nsec = 100'000'000};
          absl::Time deadline = absl::InfiniteFuture();
          while (!done_.load()) {
            const bool signal = sigtimedwait(&set, nullptr, &tick) > 0;
            if ((signal && interrupted_.load()) || absl::Now() > deadline) {
              on_abort();
              std::_Exit(130);
            }
            if (signal) {
              interrupted_.store(true);
              deadline = absl::Now() + absl::Seconds(3);
            }
          }
        }) {}
  ~InterruptWatcher() {
    done_.store(true);
    thread_.join();
  }
  bool interrupted() const { return interrupted_.load(); }

 private:
  std::atomic<bool> done_{false};
  std::atomic<bool> interrupted_{false};
  std::thread thread_;
};

// Counters shared by the writer (this thread) and the ack reader thread.
class SubmitTally {
 public:
  // `message` starts with the FILE:LINE of the article.
  void Rejected(absl::string_view message, bool local = false) {
    absl::MutexLock lock(&mu_);
    ++rejected_;
    if (local) ++local_rejected_;
    std::cerr << "newswatch: " << message << "\n";
  }
  void OnAck(const v1::ArticleAck& ack, const std::string& location) {
    if (ack.error_code() != 0) {
      Rejected(
          absl::StrCat(location, ": rejected by server (",
                       absl::StatusCodeToString(
                           static_cast<absl::StatusCode>(ack.error_code())),
                       "): ", ack.error_message()));
      return;
    }
    absl::MutexLock lock(&mu_);
    if (ack.duplicate()) ++duplicates_;
  }
  // Prints `warning` ("FILE:LINE: what") unless the same "what" was already
  // printed: a key misspelled on every line is reported once.
  void Warn(const std::string& warning) {
    const size_t what = warning.find(": unknown key");
    absl::MutexLock lock(&mu_);
    if (warned_.insert(warning.substr(std::min(what, warning.size()))).second) {
      std::cerr << "newswatch: warning: " << warning
                << (what == std::string::npos ? "" : " (reported once per key)")
                << "\n";
    }
  }
  size_t rejected() const {
    absl::MutexLock lock(&mu_);
    return rejected_;
  }
  size_t local_rejected() const {
    absl::MutexLock lock(&mu_);
    return local_rejected_;
  }
  size_t duplicates() const {
    absl::MutexLock lock(&mu_);
    return duplicates_;
  }

 private:
  mutable absl::Mutex mu_;
  size_t rejected_ ABSL_GUARDED_BY(mu_) = 0;
  size_t duplicates_ ABSL_GUARDED_BY(mu_) = 0;
  size_t local_rejected_ ABSL_GUARDED_BY(mu_) = 0;  // bad JSON, never sent
  absl::flat_hash_set<std::string> warned_ ABSL_GUARDED_BY(mu_);
};

// Sends every line of `in` until `interrupted`; returns the stream's error,
// if it broke, or FailedPrecondition after kMaxConsecutiveBadLines lines in a
// row that are not JSON articles.
absl::Status SubmitStream(std::istream& in, const std::string& name,
                          BulkSubmitter& bulk, SubmitTally& tally,
                          const InterruptWatcher& interrupt) {
  std::string line;
  int bad_in_a_row = 0;
  for (size_t number = 1; !interrupt.interrupted() && std::getline(in, line);
       ++number) {
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    std::string location = absl::StrCat(name, ":", number);
    std::vector<std::string> warnings;
    absl::StatusOr<v1::Article> article =
        ParseArticleJson(line, location, &warnings);
    for (const std::string& warning : warnings) tally.Warn(warning);
    if (!article.ok()) {
      // The message names the location.
      tally.Rejected(article.status().message(), /*local=*/true);
      if (++bad_in_a_row >= kMaxConsecutiveBadLines) {
        return absl::FailedPreconditionError(absl::StrCat(
            name, ": ", bad_in_a_row,
            " lines in a row are not JSON articles; stopped. submit reads "
            "JSON Lines, one article a line, e.g. "
            "{\"id\": \"a1\", \"title\": \"...\", \"body\": \"...\"}"));
      }
      continue;
    }
    bad_in_a_row = 0;
    absl::Status status = bulk.Submit(*article, std::move(location));
    if (!status.ok()) return status;
  }
  if (in.bad()) return absl::DataLossError("read error in " + name);
  return absl::OkStatus();
}

// "submitted 3 articles (1 duplicate, 0 rejected) in 0.12 s, 25 articles/s";
// the rate only when something was accepted.
std::string Summary(size_t done, const SubmitTally& tally, double seconds) {
  std::string line = absl::StrFormat(
      "submitted %s (%s, %d rejected) in %.2f s", Count(done, "article"),
      Count(tally.duplicates(), "duplicate"), tally.rejected(), seconds);
  const size_t accepted = done - std::min(done, tally.rejected());
  if (accepted > 0 && seconds > 0) {
    absl::StrAppend(&line,
                    absl::StrFormat(", %.0f articles/s", accepted / seconds));
  }
  return line;
}

}  // namespace

int RunSubmit(const std::vector<std::string>& args) {
  CommandArgs cmd = ParseCommandArgs(args, {}, kUsage);
  if (cmd.exit_code >= 0) return cmd.exit_code;
  std::vector<std::string> files = cmd.parsed.positional;
  if (files.empty()) files.push_back("-");
  for (const std::string& file : files) {  // fail before sending anything
    if (file != "-" && !std::ifstream(file)) {
      return Fail("submit", absl::NotFoundError("cannot open " + file));
    }
  }
  // Ctrl-C ends the submission with a summary: block the signals before any
  // thread starts (gRPC's own included), so that only InterruptWatcher's
  // sigtimedwait sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto client = ConnectOrReport(cmd.parsed);
  if (client == nullptr) return kExitFailure;

  SubmitTally tally;
  const absl::Time start = absl::Now();
  std::unique_ptr<BulkSubmitter> bulk = client->StartBulkSubmit(
      [&tally](const v1::ArticleAck& ack, const std::string& location) {
        tally.OnAck(ack, location);
      });
  // Acknowledged by the server, or refused before sending.
  const auto done = [&] { return bulk->acked() + tally.local_rejected(); };
  const auto seconds = [&] {
    return absl::ToDoubleSeconds(absl::Now() - start);
  };
  absl::Status status;
  bool interrupted = false;
  {
    InterruptWatcher interrupt([&] {
      std::cout << Summary(done(), tally, seconds())
                << " (interrupted; the articles not yet acknowledged may or "
                   "may not be stored: resubmit them, they count as "
                   "duplicates)"
                << std::endl;
    });
    for (const std::string& file : files) {
      if (file == "-") {
        status = SubmitStream(std::cin, "<stdin>", *bulk, tally, interrupt);
      } else {
        std::ifstream in(file, std::ios::binary);
        status = SubmitStream(in, file, *bulk, tally, interrupt);
      }
      if (!status.ok() || interrupt.interrupted()) break;
    }
    absl::Status finished = bulk->Finish();
    if (status.ok()) status = finished;
    interrupted = interrupt.interrupted();
  }
  const bool stream_broke = !status.ok() && !absl::IsFailedPrecondition(status);
  // A stream refused outright (no daemon, bad token) has nothing to sum up.
  if (!(stream_broke && done() == 0)) {
    std::cout << Summary(done(), tally, seconds())
              << (interrupted ? " (interrupted)" : "") << std::endl;
  }
  if (!status.ok()) {
    return Fail(stream_broke ? "submit stream" : "submit", status);
  }
  if (interrupted) return 130;
  return tally.rejected() > 0 ? kExitFailure : kExitOk;
}

}  // namespace nw::client::cli
