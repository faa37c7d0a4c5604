// File: server/base/build_info.h
//
// What a binary was built from, for `--version` and logs: the project
// version (CMake's project(VERSION)), the build type (CMAKE_BUILD_TYPE) and
// the git commit of the source tree ("-modified" when it had uncommitted
// changes; "unknown" outside a git checkout), fixed at build time.
#ifndef NW_SERVER_BASE_BUILD_INFO_H_
#define NW_SERVER_BASE_BUILD_INFO_H_

#include <string>

#include "absl/strings/string_view.h"

namespace nw::base {

struct BuildInfo {
  absl::string_view version;     // e.g. "0.9.0"
  absl::string_view build_type;  // e.g. "RelWithDebInfo"
  absl::string_view commit;      // e.g. "7aa476aedc8d"
};

const BuildInfo& GetBuildInfo();

// "<program> <version> (<build type>, commit <commit>)", no newline.
std::string VersionLine(absl::string_view program);

}  // namespace nw::base

#endif  // NW_SERVER_BASE_BUILD_INFO_H_
