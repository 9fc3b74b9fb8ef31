// Offsets written the short way people write them: "24h", "15m", "90s", "2d", "1h30m".
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace tweetup {

// Nothing when the text is not one or more <number><unit> groups (units s, m, h, d, any case),
// or when the total is zero or more than 365 days.
std::optional<std::chrono::seconds> parse_offset(std::string_view text);
// The shortest text parse_offset reads back to the same value: 5400 s → "1h30m".
std::string format_offset(std::chrono::seconds offset);
// The same for people: 5400 s → "1 h 30 min", 86400 s → "1 day", 45 s → "45 s".
std::string describe_offset(std::chrono::seconds offset);

}  // namespace tweetup
