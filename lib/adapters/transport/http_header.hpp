// One HTTP header field to send (requests, and the ops endpoint's replies): the name keeps the
// case it was given in (field names compare case-insensitively, RFC 9110 §5.1). Received fields
// are http_response::field views instead.
#pragma once

#include <string>

namespace tweetup {

struct http_header {
  std::string name;
  std::string value;
};

}  // namespace tweetup
