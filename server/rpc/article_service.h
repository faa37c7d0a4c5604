// File: server/rpc/article_service.h
#ifndef NW_SERVER_RPC_ARTICLE_SERVICE_H_
#define NW_SERVER_RPC_ARTICLE_SERVICE_H_

#include "newswatch/v1/article_service.grpc.pb.h"
#include "server/rpc/checked_unary.h"
#include "storage/article_store.h"
#include "storage/story_store.h"

namespace nw::rpc {

// GetArticle: NOT_FOUND for an unknown id. GetStory: the stored articles of
// a story, NOT_FOUND when none. Thread safety: concurrent calls OK.
class ArticleServiceImpl final
    : public CheckedUnaryService<newswatch::v1::ArticleService::Service> {
 public:
  // `stories`: the local store's (in cluster mode stories are not kept).
  ArticleServiceImpl(const storage::ArticleReader& articles,
                     const storage::StoryStore& stories)
      : articles_(articles), stories_(stories) {
    ServeChecked(newswatch::v1::ArticleService::service_full_name(),
                 "GetArticle", this, &ArticleServiceImpl::GetArticle);
    ServeChecked(newswatch::v1::ArticleService::service_full_name(), "GetStory",
                 this, &ArticleServiceImpl::GetStory);
  }

  grpc::Status GetArticle(grpc::ServerContext* context,
                          const newswatch::v1::GetArticleRequest* request,
                          newswatch::v1::Article* response) override;
  grpc::Status GetStory(grpc::ServerContext* context,
                        const newswatch::v1::GetStoryRequest* request,
                        newswatch::v1::Story* response) override;

 private:
  const storage::ArticleReader& articles_;
  const storage::StoryStore& stories_;
};

}  // namespace nw::rpc

#endif  // NW_SERVER_RPC_ARTICLE_SERVICE_H_
