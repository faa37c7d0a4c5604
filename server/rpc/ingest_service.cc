#include "server/rpc/ingest_service.h"

#include "server/rpc/status_convert.h"
#include "server/rpc/submit_articles_reactor.h"

namespace nw::rpc {

grpc::Status IngestServiceImpl::SubmitArticle(
    grpc::ServerContext* context,
    const newswatch::v1::SubmitArticleRequest* request,
    newswatch::v1::ArticleAck* response) {
  absl::StatusOr<ingest::IngestResult> result =
      pipeline_.Ingest(request->article());
  if (!result.ok()) return ToGrpcStatus(result.status());
  response->set_article_id(result->article_id);
  response->set_sequence(result->sequence);
  response->set_duplicate(result->duplicate);
  response->set_alerts(result->alerts);
  return grpc::Status::OK;
}

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>*
IngestServiceImpl::SubmitArticles(grpc::CallbackServerContext* context) {
  return new SubmitArticlesReactor(pipeline_, workers_);
}

}  // namespace nw::rpc
