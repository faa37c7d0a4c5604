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
      "url, lang, tags, published_at, ingested_at).\n";
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
  std::cout << ArticleToJson(*article).dump(
                   2, ' ', false,
                   nlohmann::ordered_json::error_handler_t::replace)
            << std::endl;
  return kExitOk;
}

}  // namespace nw::client::cli
