// File: server/web/assets.h
//
// The console's pages, scripts and styles (web/ in the source tree), compiled
// into the binary by cmake/EmbedAssets.cmake: nothing to install or build in
// Node, and the daemon serves exactly the files it was built with.
#ifndef NW_SERVER_WEB_ASSETS_H_
#define NW_SERVER_WEB_ASSETS_H_

#include <string_view>

namespace nw::web {

struct Asset {
  std::string_view path;          // "/static/app.js"
  std::string_view content_type;  // from the file's extension
  std::string_view etag;          // quoted SHA-256 prefix of the content
  std::string_view data;
};

// The asset served at `path`: "/static/<file>", or a page: "/" (index.html),
// "/rules" (rules.html), "/login" (login.html). Null when there is none.
const Asset* FindAsset(std::string_view path);

}  // namespace nw::web

#endif  // NW_SERVER_WEB_ASSETS_H_
