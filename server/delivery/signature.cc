#include "server/delivery/signature.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace nw::delivery {

std::string SignatureHex(absl::string_view secret, int64_t timestamp,
                         absl::string_view body) {
  const std::string signed_bytes = absl::StrCat(timestamp, ".", body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  // HMAC cannot fail for SHA-256 on in-memory input short of OOM.
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signed_bytes.data()),
       signed_bytes.size(), mac, &size);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(mac), size));
}

std::string SignatureHeaderValue(absl::string_view secret, int64_t timestamp,
                                 absl::string_view body) {
  return absl::StrCat("t=", timestamp,
                      ",v1=", SignatureHex(secret, timestamp, body));
}

absl::StatusOr<std::string> NewWebhookSecret() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    return absl::InternalError("the random generator failed (RAND_bytes)");
  }
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

}  // namespace nw::delivery
