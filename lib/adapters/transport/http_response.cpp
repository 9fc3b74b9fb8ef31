#include "adapters/transport/http_response.hpp"

#include <algorithm>

namespace tweetup {

namespace {

// ASCII only: field names are tokens (RFC 9110 §5.1), so locale rules must not apply.
char fold(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return fold(x) == fold(y); });
}

}  // namespace

const std::string* http_response::header(std::string_view name) const {
  for (const auto& field : headers) {
    if (same_name(field.name, name)) return &field.value;
  }
  return nullptr;
}

}  // namespace tweetup
