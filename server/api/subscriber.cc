#include "server/api/subscriber.h"

#include "absl/strings/str_cat.h"
#include "server/auth/policy.h"
#include "server/base/status_macros.h"
#include "server/catalog/rule_catalog.h"

namespace nw::api {

absl::StatusOr<std::string> ResolveSubscriber(const auth::Principal& caller,
                                              std::string subscriber,
                                              absl::string_view action) {
  if (subscriber.empty()) subscriber = caller.subscriber;
  if (subscriber.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("name the subscriber to ", action,
                     " (an admin token or a daemon without a token file "
                     "may pick any)"));
  }
  NW_RETURN_IF_ERROR(catalog::ValidateSubscriber(subscriber));
  NW_RETURN_IF_ERROR(auth::CheckOwnsSubscriber(caller, subscriber, action));
  return subscriber;
}

}  // namespace nw::api
