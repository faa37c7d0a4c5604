// File: tests/testutil/http_client.h
//
// A minimal HTTP/1.1 client for tests of the /metrics endpoint.
#ifndef NW_TESTS_TESTUTIL_HTTP_CLIENT_H_
#define NW_TESTS_TESTUTIL_HTTP_CLIENT_H_

#include <string>

#include "absl/status/statusor.h"

namespace nw::testing {

struct HttpResponse {
  int status = 0;            // e.g. 200
  std::string content_type;  // the Content-Type header's value
  std::string body;
};

// `method` (GET, HEAD, POST) `path` on 127.0.0.1:`port`; reads until the
// server closes. Unavailable when it cannot connect, Internal on a
// malformed response.
absl::StatusOr<HttpResponse> HttpRequest(int port, const std::string& method,
                                         const std::string& path);

}  // namespace nw::testing

#endif  // NW_TESTS_TESTUTIL_HTTP_CLIENT_H_
