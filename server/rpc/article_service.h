// File: server/rpc/article_service.h
#ifndef NW_SERVER_RPC_ARTICLE_SERVICE_H_
#define NW_SERVER_RPC_ARTICLE_SERVICE_H_

#include "newswatch/v1/article_service.grpc.pb.h"
#include "server/rpc/checked_unary.h"
#include "storage/article_store.h"

namespace nw::rpc {

// GetArticle: NOT_FOUND for an unknown id. Thread safety: concurrent calls OK.
class ArticleServiceImpl final
    : public CheckedUnaryService<newswatch::v1::ArticleService::Service> {
 public:
  explicit ArticleServiceImpl(const storage::ArticleReader& articles)
      : articles_(articles) {
    ServeChecked(newswatch::v1::ArticleService::service_full_name(),
                 "GetArticle", this, &ArticleServiceImpl::GetArticle);
  }

  grpc::Status GetArticle(grpc::ServerContext* context,
                          const newswatch::v1::GetArticleRequest* request,
                          newswatch::v1::Article* response) override;

 private:
  const storage::ArticleReader& articles_;
};

}  // namespace nw::rpc

#endif  // NW_SERVER_RPC_ARTICLE_SERVICE_H_
