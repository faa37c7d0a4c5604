// File: server/delivery/smtp_sender.h
//
// Sends one complete message through the configured SMTP relay with
// libcurl (no MTA inside newswatch): optional STARTTLS (required when on,
// with certificate checks) and AUTH.
//
// Thread safety: Send may be called concurrently (each call is its own
// connection).
#ifndef NW_SERVER_DELIVERY_SMTP_SENDER_H_
#define NW_SERVER_DELIVERY_SMTP_SENDER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace nw::delivery {

struct SmtpOptions {
  // host:port of the relay, e.g. "smtp.example.com:587". Required.
  std::string relay;
  // Require STARTTLS before sending (certificate verified). Default: false.
  bool starttls = false;
  // PEM CA bundle for the relay's certificate. Default: system roots.
  std::string ca_file;
  // AUTH credentials; empty: no AUTH. Never logged.
  std::string username;
  std::string password;
  // The envelope sender (MAIL FROM) and From header.
  // Default: newswatch@localhost.
  std::string from = "newswatch@localhost";
  // A send that has not completed in this time fails. Default: 30 s.
  absl::Duration timeout = absl::Seconds(30);
};

// Sends `message` (headers and body, CRLF line ends) to `recipients`.
// Unavailable when the relay cannot be reached or refuses (the message says
// what the relay answered); the caller retries.
absl::Status SendMail(const SmtpOptions& options,
                      const std::vector<std::string>& recipients,
                      const std::string& message);

}  // namespace nw::delivery

#endif  // NW_SERVER_DELIVERY_SMTP_SENDER_H_
