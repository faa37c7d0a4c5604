// newswatch get ARTICLE_ID
#include <iostream>

#include "client/cli/cli_common.h"
#include "client/cli/commands.h"
#include "client/lib/article_json.h"

namespace nw::client::cli {

int RunGet(const std::vector<std::string>& args) {
  static constexpr char kUsage[] =
      "usage: newswatch get ARTICLE_ID\n"
      "Prints the stored article as JSON (id, sequence, source, title, body,\n"
      "url, lang, tags, published_at, ingested_at), then its story: story_id,\n"
      "duplicate_of (its original, or null) and story (the story's articles:\n"
      "id, source, title, ingested_at, duplicate_of).\n";
  CommandArgs cmd = ParseCommandArgs(args, {}, kUsage);
  if (cmd.exit_code >= 0) return cmd.exit_code;
  if (cmd.parsed.positional.size() != 1) {
    return UsageError("get takes one ARTICLE_ID", kUsage);
  }
  auto client = ConnectOrReport(cmd.parsed);
  if (client == nullptr) return kExitFailure;
  const std::string& id = cmd.parsed.positional[0];
  absl::StatusOr<v1::Article> article = client->GetArticle(id);
  if (!article.ok()) return Fail("get " + id, article.status());
  nlohmann::ordered_json json = ArticleToJson(*article);
  json["story_id"] = article->story_id().empty()
                         ? nlohmann::ordered_json(nullptr)
                         : nlohmann::ordered_json(article->story_id());
  json["duplicate_of"] = article->duplicate_of().empty()
                             ? nlohmann::ordered_json(nullptr)
                             : nlohmann::ordered_json(article->duplicate_of());
  json["story"] = nlohmann::ordered_json::array();
  if (!article->story_id().empty()) {
    absl::StatusOr<v1::Story> story = client->GetStory(article->story_id());
    if (!story.ok())
      return Fail("get story " + article->story_id(), story.status());
    for (const v1::StoryArticle& a : story->articles()) {
      nlohmann::ordered_json row;
      row["id"] = a.id();
      row["source"] = a.source();
      row["title"] = a.title();
      row["ingested_at"] = FormatTimestamp(a.ingested_at());
      row["duplicate_of"] = a.duplicate_of().empty()
                                ? nlohmann::ordered_json(nullptr)
                                : nlohmann::ordered_json(a.duplicate_of());
      json["story"].push_back(std::move(row));
    }
  }
  std::cout << json.dump(2, ' ', false,
                         nlohmann::ordered_json::error_handler_t::replace)
            << std::endl;
  return kExitOk;
}

}  // namespace nw::client::cli
