#include "client/lib/status_convert.h"

#include <string>

namespace nw::client {

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  const int code = static_cast<int>(status.error_code());
  // Codes 1..16 are shared; anything else is not a canonical code.
  if (code < 1 || code > 16) {
    return absl::UnknownError(status.error_message());
  }
  std::string message = status.error_message();
  if (message.empty()) message = "(no message from server)";
  return absl::Status(static_cast<absl::StatusCode>(code), message);
}

}  // namespace nw::client
