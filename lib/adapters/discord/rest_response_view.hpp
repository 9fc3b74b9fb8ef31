// What the REST rate limiter needs to know of one HTTP response (protocols.md R11): the status,
// the headers and the body text. The shell fills it with views into the transport's response;
// the limiter reads it during on_response only and keeps nothing that points into it.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace tweetup {

struct rest_response_view {
  int status = 0;
  // As received; names in any case. Only the X-RateLimit-*, Retry-After and Via headers matter.
  // The views point into whatever the filler owns (the response), which must outlive the view.
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  std::string_view body;

  // The value of the first header with this name, compared case-insensitively (HTTP names are
  // ASCII), or nullopt.
  std::optional<std::string_view> header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (key.size() != name.size()) continue;
      bool same = true;
      for (std::size_t i = 0; i < key.size() && same; ++i)
        same = lower(key[i]) == lower(name[i]);
      if (same) return value;
    }
    return std::nullopt;
  }

 private:
  static char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
};

}  // namespace tweetup
