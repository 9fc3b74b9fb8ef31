// An HTTP response as http_client::send() read it: every header field in the order received
// (repeated fields included, e.g. Discord's X-RateLimit-* set), and the decoded body (chunked
// transfer coding removed).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "adapters/transport/http_header.hpp"

namespace tweetup {

struct http_response {
  unsigned status = 0;
  std::vector<http_header> headers;
  std::string body;

  // The value of the first field named `name`, compared case-insensitively (RFC 9110 §5.1);
  // nullptr when there is none. The pointer is valid until `headers` changes.
  const std::string* header(std::string_view name) const;
};

}  // namespace tweetup
