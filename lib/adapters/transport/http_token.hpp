// tchar and token, RFC 9110 §5.6.2: what a header field's name (and a transfer coding) is made
// of. One table shared by the request writer (http_client) and the response reader: looking the
// punctuation up per byte called memchr for every '-' of a header name.
#pragma once

#include <algorithm>
#include <array>
#include <string_view>

namespace tweetup {

inline constexpr std::array<bool, 256> http_token_chars = [] {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c)
    t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c)
    t[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c)
    t[c] = true;
  for (const char c : std::string_view("!#$%&'*+-.^_`|~"))
    t[static_cast<unsigned char>(c)] = true;
  return t;
}();

inline bool is_http_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return http_token_chars[static_cast<unsigned char>(c)];
  });
}

}  // namespace tweetup
