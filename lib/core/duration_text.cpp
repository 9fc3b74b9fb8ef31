#include "core/duration_text.hpp"

#include <cstdint>
#include <utility>

namespace tweetup {

std::optional<std::chrono::seconds> parse_offset(std::string_view text) {
  constexpr std::int64_t limit = 365LL * 24 * 3600;
  std::int64_t total = 0;
  std::size_t i = 0;
  if (text.empty()) return std::nullopt;
  while (i < text.size()) {
    std::int64_t number = 0;
    const std::size_t digits_start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      number = number * 10 + (text[i] - '0');
      if (number > limit) return std::nullopt;
      ++i;
    }
    if (i == digits_start || i == text.size()) return std::nullopt;
    std::int64_t unit = 0;
    switch (text[i]) {
      case 's':
      case 'S':
        unit = 1;
        break;
      case 'm':
      case 'M':
        unit = 60;
        break;
      case 'h':
      case 'H':
        unit = 3600;
        break;
      case 'd':
      case 'D':
        unit = 86400;
        break;
      default:
        return std::nullopt;
    }
    ++i;
    total += number * unit;
    if (total > limit) return std::nullopt;
  }
  if (total == 0) return std::nullopt;
  return std::chrono::seconds{total};
}

std::string format_offset(std::chrono::seconds offset) {
  std::int64_t left = offset.count();
  std::string text;
  for (auto [unit, suffix] :
       {std::pair<std::int64_t, char>{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}}) {
    if (left >= unit) {
      text += std::to_string(left / unit) + suffix;
      left %= unit;
    }
  }
  return text.empty() ? "0s" : text;
}

std::string describe_offset(std::chrono::seconds offset) {
  std::int64_t left = offset.count();
  std::string text;
  const auto part = [&](std::int64_t unit, const std::string& one, const std::string& many) {
    if (left < unit) return;
    const std::int64_t n = left / unit;
    left %= unit;
    if (!text.empty()) text += ' ';
    text += std::to_string(n);
    text += n == 1 ? one : many;
  };
  part(86400, " day", " days");
  part(3600, " h", " h");
  part(60, " min", " min");
  part(1, " s", " s");
  return text.empty() ? "0 s" : text;
}

}  // namespace tweetup
