#include "server/api/subscriber.h"

#include "absl/strings/str_cat.h"
#include "server/auth/policy.h"
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
  if (absl::Status s = catalog::ValidateSubscriber(subscriber); !s.ok())
    return s;
  if (absl::Status s = auth::CheckOwnsSubscriber(caller, subscriber, action);
      !s.ok())
    return s;
  return subscriber;
}

}  // namespace nw::api
