#include "server/base/build_info.h"

#include "absl/strings/str_cat.h"
#include "build_info_commit.h"  // generated: NW_BUILD_COMMIT

namespace nw::base {

const BuildInfo& GetBuildInfo() {
  static const BuildInfo info{NW_VERSION, NW_BUILD_TYPE, NW_BUILD_COMMIT};
  return info;
}

std::string VersionLine(absl::string_view program) {
  const BuildInfo& info = GetBuildInfo();
  return absl::StrCat(program, " ", info.version, " (", info.build_type,
                      ", commit ", info.commit, ")");
}

}  // namespace nw::base
