#include "server/rpc/submit_articles_reactor.h"

#include <utility>

#include "server/rpc/request_parse.h"

namespace nw::rpc {

SubmitArticlesReactor::SubmitArticlesReactor(ingest::ArticleIngestor& pipeline,
                                             base::ThreadPool& workers)
    : pipeline_(pipeline), workers_(workers) {
  StartRead(&request_);
}

void SubmitArticlesReactor::OnReadDone(bool ok) {
  // No read is outstanding and reading_ is still true, so Process starts
  // none: request_ is ours to parse outside mu_.
  Pending item;
  if (ok) {
    newswatch::v1::SubmitArticleRequest request;
    item.refused = ParseRequest(request_, &request);
    if (item.refused.ok()) item.article = std::move(*request.mutable_article());
    request_.Clear();
  }
  bool finish = false;
  {
    absl::MutexLock lock(&mu_);
    reading_ = false;
    if (!ok) {
      reads_done_ = true;  // half-close or cancellation
      finish = ShouldFinishLocked();
    } else {
      pending_.push_back(std::move(item));
      if (!processing_) {
        processing_ = true;
        workers_.Schedule([this] { Process(); });
      }
      // Back-pressure: stop reading while too much waits for ingest.
      if (pending_.size() < kMaxPending) {
        reading_ = true;
        StartRead(&request_);
      }
    }
  }
  if (finish) Finish(grpc::Status::OK);
}

void SubmitArticlesReactor::Process() {
  bool finish = false;
  mu_.Lock();
  while (!pending_.empty()) {
    std::vector<newswatch::v1::Article> batch;
    std::vector<absl::Status> refused;  // per item, in order; OK: in `batch`
    while (!pending_.empty() && refused.size() < kMaxBatch) {
      refused.push_back(std::move(pending_.front().refused));
      if (refused.back().ok())
        batch.push_back(std::move(pending_.front().article));
      pending_.pop_front();
    }
    if (!reading_ && !reads_done_) {
      reading_ = true;
      StartRead(&request_);
    }
    mu_.Unlock();
    std::vector<absl::StatusOr<ingest::IngestResult>> results;
    if (!batch.empty()) results = pipeline_.IngestBatch(std::move(batch));
    mu_.Lock();
    size_t next_result = 0;
    for (const absl::Status& refusal : refused) {
      const absl::StatusOr<ingest::IngestResult> result =
          refusal.ok() ? std::move(results[next_result++])
                       : absl::StatusOr<ingest::IngestResult>(refusal);
      newswatch::v1::ArticleAck& ack = acks_.emplace_back();
      if (result.ok()) {
        ack.set_article_id(result->article_id);
        ack.set_sequence(result->sequence);
        ack.set_duplicate(result->duplicate);
        ack.set_alerts(result->alerts);
      } else {
        ack.set_error_code(static_cast<int>(result.status().code()));
        ack.set_error_message(std::string(result.status().message()));
      }
    }
    StartWriteLocked();
  }
  processing_ = false;
  finish = ShouldFinishLocked();
  mu_.Unlock();
  if (finish) Finish(grpc::Status::OK);
}

void SubmitArticlesReactor::OnWriteDone(bool ok) {
  bool finish = false;
  {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok) {
      broken_ = true;
      acks_.clear();
    }
    StartWriteLocked();
    finish = ShouldFinishLocked();
  }
  if (finish) Finish(grpc::Status::OK);
}

void SubmitArticlesReactor::StartWriteLocked() {
  if (writing_ || broken_ || acks_.empty()) return;
  writing_ = true;
  SerializeToBuffer(acks_.front(), &ack_);
  acks_.pop_front();
  StartWrite(&ack_);
}

bool SubmitArticlesReactor::ShouldFinishLocked() {
  if (finished_ || !reads_done_ || processing_ || !pending_.empty() || writing_)
    return false;
  if (!acks_.empty() && !broken_) return false;
  finished_ = true;
  return true;
}

}  // namespace nw::rpc
