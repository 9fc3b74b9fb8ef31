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

std::optional<std::string_view> http_response::header(std::string_view name) const {
  for (std::size_t i = 0; i < spans_.size(); ++i) {
    if (spans_[i].name_size != name.size()) continue;
    const field f = field_at(i);
    if (same_name(f.name, name)) return f.value;
  }
  return std::nullopt;
}

}  // namespace tweetup
