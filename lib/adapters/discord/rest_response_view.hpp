// What the REST rate limiter needs to know of one HTTP response (protocols.md R11): the status,
// the headers and the body text. The shell fills it from the transport's response; the limiter
// reads it during on_response only and keeps nothing that points into it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tweetup {

struct rest_response_view {
  int status = 0;
  // As received; names in any case. Only the X-RateLimit-*, Retry-After and Via headers matter.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body;

  // The first header with this name, compared case-insensitively (HTTP names are ASCII), or
  // nullptr.
  const std::string* header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (key.size() != name.size()) continue;
      bool same = true;
      for (std::size_t i = 0; i < key.size() && same; ++i)
        same = lower(key[i]) == lower(name[i]);
      if (same) return &value;
    }
    return nullptr;
  }

 private:
  static char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
};

}  // namespace tweetup
