// The SubmitArticles stream: BulkSubmitter's implementation.
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "client/lib/newswatch_client.h"
#include "client/lib/status_convert.h"
#include "grpcpp/client_context.h"

namespace nw::client {
namespace {

using Stream =
    grpc::ClientReaderWriter<v1::SubmitArticleRequest, v1::ArticleAck>;

class StreamBulkSubmitter final : public BulkSubmitter {
 public:
  StreamBulkSubmitter(v1::IngestService::Stub& stub,
                      NewswatchClient::AckCallback on_ack, size_t window)
      : on_ack_(std::move(on_ack)), window_(window == 0 ? 1 : window) {
    stream_ = stub.SubmitArticles(&context_);
    reader_ = std::thread([this] { ReadAcks(); });
  }

  ~StreamBulkSubmitter() override {
    if (!finished_) {
      context_.TryCancel();
      reader_.join();
      (void)stream_->Finish();
    }
  }

  absl::Status Submit(const v1::Article& article, std::string tag) override {
    if (finished_) return FinishedStatus();
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &StreamBulkSubmitter::HasRoom));
      if (reader_done_) return FinishStream();
      tags_.push_back(std::move(tag));
    }
    v1::SubmitArticleRequest request;
    *request.mutable_article() = article;
    if (!stream_->Write(request)) {
      // The stream is broken; its status says why.
      absl::MutexLock lock(&mu_);
      return FinishStream();
    }
    return absl::OkStatus();
  }

  absl::Status Finish() override {
    if (finished_) return FinishedStatus();
    (void)stream_->WritesDone();
    absl::MutexLock lock(&mu_);
    return FinishStream();
  }

  size_t acked() const override {
    absl::MutexLock lock(&mu_);
    return acked_;
  }

 private:
  absl::Status FinishedStatus() const {
    if (!final_status_.ok()) return final_status_;
    return absl::FailedPreconditionError("bulk submit stream already finished");
  }

  bool HasRoom() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return reader_done_ || tags_.size() < window_;
  }

  void ReadAcks() {
    v1::ArticleAck ack;
    while (stream_->Read(&ack)) {
      std::string tag;
      {
        absl::MutexLock lock(&mu_);
        if (tags_.empty()) {
          extra_acks_ = true;
        } else {
          tag = std::move(tags_.front());
          tags_.pop_front();
        }
        ++acked_;
      }
      if (on_ack_) on_ack_(ack, tag);
    }
    absl::MutexLock lock(&mu_);
    reader_done_ = true;
  }

  // Waits for the reader to see the end of the stream, then takes the final
  // status. Called with mu_ held (released while joining).
  absl::Status FinishStream() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return final_status_;
    mu_.Unlock();
    reader_.join();
    absl::Status status = FromGrpcStatus(stream_->Finish());
    mu_.Lock();
    finished_ = true;
    if (status.ok() && !tags_.empty()) {
      status = absl::DataLossError(absl::StrCat(
          "stream ended with ", tags_.size(), " articles unacknowledged"));
    } else if (status.ok() && extra_acks_) {
      status = absl::InternalError("server sent more acks than articles");
    }
    final_status_ = status;
    return status;
  }

  grpc::ClientContext context_;
  std::unique_ptr<Stream> stream_;
  const NewswatchClient::AckCallback on_ack_;
  const size_t window_;
  std::thread reader_;
  bool finished_ = false;  // only touched by the writer thread
  absl::Status final_status_;

  mutable absl::Mutex mu_;
  std::deque<std::string> tags_ ABSL_GUARDED_BY(mu_);  // in flight, in order
  size_t acked_ ABSL_GUARDED_BY(mu_) = 0;
  bool reader_done_ ABSL_GUARDED_BY(mu_) = false;
  bool extra_acks_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace

std::unique_ptr<BulkSubmitter> NewswatchClient::StartBulkSubmit(
    AckCallback on_ack, const BulkOptions& options) {
  return std::make_unique<StreamBulkSubmitter>(*ingest_, std::move(on_ack),
                                               options.window);
}

}  // namespace nw::client
