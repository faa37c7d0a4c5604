// File: server/api/subscriber.h
#ifndef NW_SERVER_API_SUBSCRIBER_H_
#define NW_SERVER_API_SUBSCRIBER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/auth/principal.h"

namespace nw::api {

// The subscriber a call is about: `subscriber`, or the caller's own when
// empty (analysts). InvalidArgument when still empty ("name the subscriber
// ...") or not a valid name; PermissionDenied when the caller may not
// `action` it (auth::CheckOwnsSubscriber; `action` e.g. "subscribe to").
absl::StatusOr<std::string> ResolveSubscriber(const auth::Principal& caller,
                                              std::string subscriber,
                                              absl::string_view action);

}  // namespace nw::api

#endif  // NW_SERVER_API_SUBSCRIBER_H_
