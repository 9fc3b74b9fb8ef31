// How instants and durations read in replies.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace date {
class time_zone;
}

namespace tweetup {

// "Sat 28 Nov, 3:00 PM CST"; the year is added when it differs from `now`'s.
std::string format_when(std::chrono::sys_seconds at, const date::time_zone& zone,
                        std::chrono::sys_seconds now);
// As format_when, with the end when there is one: "Sat 28 Nov, 7:00–9:00 PM CST".
std::string format_span(std::chrono::sys_seconds start, std::optional<std::chrono::sys_seconds> end,
                        const date::time_zone& zone, std::chrono::sys_seconds now);
// "in 4 h 45 min", "in 2 days 3 h", "in under a minute", "3 h ago".
std::string format_relative(std::chrono::sys_seconds now, std::chrono::sys_seconds at);
// format_span and format_relative appended to `out`, for replies that build one string.
void append_span(std::string& out, std::chrono::sys_seconds start,
                 std::optional<std::chrono::sys_seconds> end, const date::time_zone& zone,
                 std::chrono::sys_seconds now);
void append_relative(std::string& out, std::chrono::sys_seconds now, std::chrono::sys_seconds at);
// "3:00 PM CST": the time of day alone.
std::string format_time(std::chrono::sys_seconds at, const date::time_zone& zone);
// "14:05" in the zone: the channel's clock, for `tz` replies.
std::string format_clock(std::chrono::sys_seconds at, const date::time_zone& zone);

}  // namespace tweetup
