// newswatch submit [FILE.jsonl ...]
#include <atomic>
#include <cstdio>
#include <fstream>
#include <iostream>

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
    "FILE:LINE; the exit status is 1 when any line was rejected.\n";

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
};

// Sends every line of `in`; returns the stream's error, if it broke.
absl::Status SubmitStream(std::istream& in, const std::string& name,
                          BulkSubmitter& bulk, SubmitTally& tally) {
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    std::string location = absl::StrCat(name, ":", number);
    absl::StatusOr<v1::Article> article = ParseArticleJson(line, location);
    if (!article.ok()) {
      // The message names the location.
      tally.Rejected(article.status().message(), /*local=*/true);
      continue;
    }
    absl::Status status = bulk.Submit(*article, std::move(location));
    if (!status.ok()) return status;
  }
  if (in.bad()) return absl::DataLossError("read error in " + name);
  return absl::OkStatus();
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
  auto client = ConnectOrReport(cmd.parsed);
  if (client == nullptr) return kExitFailure;

  SubmitTally tally;
  const absl::Time start = absl::Now();
  std::unique_ptr<BulkSubmitter> bulk = client->StartBulkSubmit(
      [&tally](const v1::ArticleAck& ack, const std::string& location) {
        tally.OnAck(ack, location);
      });
  absl::Status status;
  for (const std::string& file : files) {
    if (file == "-") {
      status = SubmitStream(std::cin, "<stdin>", *bulk, tally);
    } else {
      std::ifstream in(file, std::ios::binary);
      status = SubmitStream(in, file, *bulk, tally);
    }
    if (!status.ok()) break;
  }
  absl::Status finished = bulk->Finish();
  if (status.ok()) status = finished;
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  // Acknowledged by the server, or refused before sending.
  const size_t done = bulk->acked() + tally.local_rejected();
  std::cout << absl::StrFormat(
                   "submitted %d articles (%d duplicates, %d rejected) in "
                   "%.2f s, %.0f articles/s",
                   done, tally.duplicates(), tally.rejected(), seconds,
                   seconds > 0 ? done / seconds : 0.0)
            << std::endl;
  if (!status.ok()) return Fail("submit stream", status);
  return tally.rejected() > 0 ? kExitFailure : kExitOk;
}

}  // namespace nw::client::cli
