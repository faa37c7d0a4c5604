#include "server/rpc/submit_articles_reactor.h"

#include <utility>

namespace nw::rpc {

SubmitArticlesReactor::SubmitArticlesReactor(ingest::ArticleIngestor& pipeline,
                                             base::ThreadPool& workers)
    : pipeline_(pipeline), workers_(workers) {
  StartRead(&request_);
}

void SubmitArticlesReactor::OnReadDone(bool ok) {
  bool finish = false;
  {
    absl::MutexLock lock(&mu_);
    reading_ = false;
    if (!ok) {
      reads_done_ = true;  // half-close or cancellation
      finish = ShouldFinishLocked();
    } else {
      pending_.push_back(std::move(*request_.mutable_article()));
      request_.Clear();
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
    while (!pending_.empty() && batch.size() < kMaxBatch) {
      batch.push_back(std::move(pending_.front()));
      pending_.pop_front();
    }
    if (!reading_ && !reads_done_) {
      reading_ = true;
      StartRead(&request_);
    }
    mu_.Unlock();
    std::vector<absl::StatusOr<ingest::IngestResult>> results =
        pipeline_.IngestBatch(std::move(batch));
    mu_.Lock();
    for (const absl::StatusOr<ingest::IngestResult>& result : results) {
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
  ack_ = std::move(acks_.front());
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
