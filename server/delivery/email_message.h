// File: server/delivery/email_message.h
//
// The e-mails of alert delivery, as complete RFC 5322 messages (headers and
// a multipart/alternative body with a text/plain and a text/html part, both
// UTF-8, base64): one alert, or a digest of a period's alerts grouped by
// their first matched rule, each with its title, link and snippets (the
// matched words in [brackets] in text, <mark> in HTML). Every alert of a
// digest appears exactly once.
//
// Thread safety: pure functions.
#ifndef NW_SERVER_DELIVERY_EMAIL_MESSAGE_H_
#define NW_SERVER_DELIVERY_EMAIL_MESSAGE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "newswatch/v1/alert.pb.h"

namespace nw::delivery {

struct EmailEnvelope {
  std::string from;                     // e.g. "newswatch@example.com"
  std::vector<std::string> recipients;  // checked by CheckEmailAddress
  std::string message_id;               // without <>, e.g. "x@newswatch"
  absl::Time date;                      // the Date header
};

// InvalidArgument unless `address` looks like local@domain: at most 254
// bytes, no spaces, control characters, quotes, <, >, commas or
// semicolons (so it cannot inject a header or a second recipient).
absl::Status CheckEmailAddress(absl::string_view address);

// A message for one alert: subject "[newswatch] <rules>: <title>".
std::string AlertEmail(const EmailEnvelope& envelope,
                       const newswatch::v1::Alert& alert);

// A digest of `alerts` (one subscriber's, in cursor order) for the period
// [period_start, period_end): subject "[newswatch] <subscriber>: N alerts
// (<period>)". `part` > 0 numbers a period's digests when it needed several.
std::string DigestEmail(const EmailEnvelope& envelope,
                        const std::string& subscriber, absl::Time period_start,
                        absl::Time period_end,
                        const std::vector<newswatch::v1::Alert>& alerts,
                        int part = 0);

}  // namespace nw::delivery

#endif  // NW_SERVER_DELIVERY_EMAIL_MESSAGE_H_
