// File: server/rpc/ingest_service.h
#ifndef NW_SERVER_RPC_INGEST_SERVICE_H_
#define NW_SERVER_RPC_INGEST_SERVICE_H_

#include "newswatch/v1/ingest_service.grpc.pb.h"
#include "server/base/thread_pool.h"
#include "server/ingest/article_ingestor.h"

namespace nw::rpc {

// SubmitArticle is unary (sync pool); SubmitArticles uses the callback API
// (SubmitArticlesReactor): no thread per stream, ingest work on `workers`.
class IngestServiceImpl final
    : public newswatch::v1::IngestService::WithCallbackMethod_SubmitArticles<
          newswatch::v1::IngestService::Service> {
 public:
  IngestServiceImpl(ingest::ArticleIngestor& pipeline,
                    base::ThreadPool& workers)
      : pipeline_(pipeline), workers_(workers) {}

  grpc::Status SubmitArticle(grpc::ServerContext* context,
                             const newswatch::v1::SubmitArticleRequest* request,
                             newswatch::v1::ArticleAck* response) override;

  grpc::ServerBidiReactor<newswatch::v1::SubmitArticleRequest,
                          newswatch::v1::ArticleAck>*
  SubmitArticles(grpc::CallbackServerContext* context) override;

 private:
  ingest::ArticleIngestor& pipeline_;
  base::ThreadPool& workers_;
};

}  // namespace nw::rpc

#endif  // NW_SERVER_RPC_INGEST_SERVICE_H_
