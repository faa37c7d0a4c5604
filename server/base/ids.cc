#include "server/base/ids.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace nw::base {
namespace {

// URL-safe: an id may be a URL ("https://host/a?b=1#c").
constexpr absl::string_view kPunctuation = "._-:@+=~/#?&%!$,;";

}  // namespace

absl::Status CheckId(absl::string_view what, absl::string_view id,
                     size_t max_bytes) {
  if (id.empty())
    return absl::InvalidArgumentError(absl::StrCat(what, " is required"));
  if (id.size() > max_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, " is ", id.size(), " bytes, over the limit of ", max_bytes));
  }
  for (size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    if (absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
        absl::StrContains(kPunctuation, c)) {
      continue;
    }
    return absl::InvalidArgumentError(absl::StrCat(
        what, " has a character not allowed at byte ", i,
        ": use ASCII letters, digits and . _ - : @ + = ~ / # ? & % ! $ , ;"));
  }
  if (!absl::ascii_isalnum(static_cast<unsigned char>(id.front()))) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " must start with a letter or a digit"));
  }
  if (absl::StrContains(id, "..")) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " must not hold \"..\""));
  }
  return absl::OkStatus();
}

}  // namespace nw::base
