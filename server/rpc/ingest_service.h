// File: server/rpc/ingest_service.h
#ifndef NW_SERVER_RPC_INGEST_SERVICE_H_
#define NW_SERVER_RPC_INGEST_SERVICE_H_

#include "newswatch/v1/ingest_service.grpc.pb.h"
#include "server/base/thread_pool.h"
#include "server/ingest/article_ingestor.h"
#include "server/rpc/checked_unary.h"

namespace nw::rpc {

// SubmitArticle is unary (sync pool); SubmitArticles uses the callback API
// (SubmitArticlesReactor): no thread per stream, ingest work on `workers`.
// Both parse their requests themselves (request_parse.h): an article with
// invalid UTF-8 in a string field is refused naming the field, and on the
// stream it gets its own error ack while the stream goes on.
class IngestServiceImpl final
    : public CheckedUnaryService<
          newswatch::v1::IngestService::WithRawCallbackMethod_SubmitArticles<
              newswatch::v1::IngestService::Service>> {
 public:
  IngestServiceImpl(ingest::ArticleIngestor& pipeline,
                    base::ThreadPool& workers)
      : pipeline_(pipeline), workers_(workers) {
    ServeChecked(newswatch::v1::IngestService::service_full_name(),
                 "SubmitArticle", this, &IngestServiceImpl::SubmitArticle);
  }

  grpc::Status SubmitArticle(grpc::ServerContext* context,
                             const newswatch::v1::SubmitArticleRequest* request,
                             newswatch::v1::ArticleAck* response) override;

  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* SubmitArticles(
      grpc::CallbackServerContext* context) override;

 private:
  ingest::ArticleIngestor& pipeline_;
  base::ThreadPool& workers_;
};

}  // namespace nw::rpc

#endif  // NW_SERVER_RPC_INGEST_SERVICE_H_
