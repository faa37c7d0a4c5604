#include "server/rpc/article_service.h"

#include "absl/strings/str_cat.h"
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

grpc::Status ArticleServiceImpl::GetStory(
    grpc::ServerContext* context, const newswatch::v1::GetStoryRequest* request,
    newswatch::v1::Story* response) {
  if (request->story_id().empty()) {
    return ToGrpcStatus(absl::InvalidArgumentError("story id is required"));
  }
  absl::StatusOr<std::vector<storage::StoryMember>> members =
      stories_.Members(request->story_id());
  if (!members.ok()) return ToGrpcStatus(members.status());
  response->set_story_id(request->story_id());
  for (const storage::StoryMember& m : *members) {
    absl::StatusOr<newswatch::v1::Article> a = stories_.ArticleAt(m.sequence);
    if (absl::IsNotFound(a.status())) continue;  // deleted by retention
    if (!a.ok()) return ToGrpcStatus(a.status());
    newswatch::v1::StoryArticle* out = response->add_articles();
    out->set_id(a->id());
    out->set_source(a->source());
    out->set_title(a->title());
    *out->mutable_ingested_at() = a->ingested_at();
    out->set_duplicate_of(a->duplicate_of());
  }
  if (response->articles().empty()) {
    return ToGrpcStatus(absl::NotFoundError(absl::StrCat(
        "no stored article of story '", request->story_id(), "'")));
  }
  return grpc::Status::OK;
}

}  // namespace nw::rpc
