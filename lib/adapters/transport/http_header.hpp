// One HTTP header field as sent or received: the name keeps the case it was given or received
// in (field names compare case-insensitively, RFC 9110 §5.1).
#pragma once

#include <string>

namespace tweetup {

struct http_header {
  std::string name;
  std::string value;
};

}  // namespace tweetup
