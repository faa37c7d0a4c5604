// File: server/rpc/submit_articles_reactor.h
//
// One SubmitArticles stream. Reads run ahead of ingest by up to
// kMaxPending articles; whatever is pending is ingested as one batch (one
// synced write) on the worker pool, and acks go back in the order read.
// Each request is parsed here (ParseRequest): one that does not parse, e.g.
// a string field with invalid UTF-8, gets an error ack of its own in its
// place and the stream goes on; every request read gets exactly one ack.
//
// Thread safety: gRPC reactions and the worker task synchronize on mu_.
// Finish is called last, outside mu_, because OnDone deletes the reactor.
#ifndef NW_SERVER_RPC_SUBMIT_ARTICLES_REACTOR_H_
#define NW_SERVER_RPC_SUBMIT_ARTICLES_REACTOR_H_

#include <deque>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/server_callback.h"
#include "newswatch/v1/ingest_service.pb.h"
#include "server/base/thread_pool.h"
#include "server/ingest/article_ingestor.h"

namespace nw::rpc {

class SubmitArticlesReactor final
    : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  SubmitArticlesReactor(ingest::ArticleIngestor& pipeline,
                        base::ThreadPool& workers);

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnDone() override { delete this; }

 private:
  static constexpr size_t kMaxPending = 256;
  static constexpr size_t kMaxBatch = 64;

  // A request read: its article, or why it cannot be ingested.
  struct Pending {
    newswatch::v1::Article article;
    absl::Status refused;
  };

  void Process();
  void StartWriteLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // True when the stream should be finished now (and marks it finished).
  bool ShouldFinishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  ingest::ArticleIngestor& pipeline_;
  base::ThreadPool& workers_;

  absl::Mutex mu_;
  grpc::ByteBuffer request_;  // target of the outstanding read
  std::deque<Pending> pending_ ABSL_GUARDED_BY(mu_);
  std::deque<newswatch::v1::ArticleAck> acks_ ABSL_GUARDED_BY(mu_);
  grpc::ByteBuffer ack_ ABSL_GUARDED_BY(mu_);  // the outstanding write
  bool reading_ ABSL_GUARDED_BY(mu_) = true;
  bool reads_done_ ABSL_GUARDED_BY(mu_) = false;
  bool processing_ ABSL_GUARDED_BY(mu_) = false;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool broken_ ABSL_GUARDED_BY(mu_) =
      false;  // a write failed: the client is gone
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace nw::rpc

#endif  // NW_SERVER_RPC_SUBMIT_ARTICLES_REACTOR_H_
