#include "server/rpc/article_service.h"

#include "server/rpc/status_convert.h"

namespace nw::rpc {

grpc::Status ArticleServiceImpl::GetArticle(
    grpc::ServerContext* context,
    const newswatch::v1::GetArticleRequest* request,
    newswatch::v1::Article* response) {
  if (request->id().empty()) {
    return ToGrpcStatus(absl::InvalidArgumentError("article id is required"));
  }
  absl::StatusOr<newswatch::v1::Article> article = articles_.Get(request->id());
  if (!article.ok()) return ToGrpcStatus(article.status());
  *response = *std::move(article);
  return grpc::Status::OK;
}

}  // namespace nw::rpc
