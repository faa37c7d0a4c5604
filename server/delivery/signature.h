// File: server/delivery/signature.h
//
// The Newswatch-Signature header of a webhook POST, as Stripe signs events:
//   Newswatch-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>
// where the HMAC key is the webhook's secret and the signed bytes are
// "<t>.<body>". A receiver recomputes it and also checks that t is recent,
// so a captured request cannot be replayed later.
//
// Thread safety: pure functions.
#ifndef NW_SERVER_DELIVERY_SIGNATURE_H_
#define NW_SERVER_DELIVERY_SIGNATURE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace nw::delivery {

inline constexpr absl::string_view kSignatureHeader = "Newswatch-Signature";

// Lower-case hex HMAC-SHA256 of "<timestamp>.<body>" under `secret`.
std::string SignatureHex(absl::string_view secret, int64_t timestamp,
                         absl::string_view body);

// The header value "t=<timestamp>,v1=<SignatureHex>".
std::string SignatureHeaderValue(absl::string_view secret, int64_t timestamp,
                                 absl::string_view body);

// 32 random bytes as 64 hex characters, for a webhook registered without a
// secret. Internal if the random generator fails.
absl::StatusOr<std::string> NewWebhookSecret();

}  // namespace nw::delivery

#endif  // NW_SERVER_DELIVERY_SIGNATURE_H_
