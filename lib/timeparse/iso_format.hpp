// ISO 8601 reading and writing for the CLI contract and for logs.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace date {
class time_zone;
}

namespace tweetup::timeparse {

// "2026-11-29T15:00:00-06:00": the instant with `zone`'s UTC offset at that instant.
std::string format_iso(std::chrono::sys_seconds instant, const date::time_zone& zone);

// Reads a local wall time "YYYY-MM-DDTHH:MM:SS" (no offset) as a time in `zone`. A wall time in a
// spring-forward gap or a fall-back fold resolves to the earliest matching instant. Returns
// nothing when the text is not exactly that form or holds an impossible value.
std::optional<std::chrono::sys_seconds> parse_local_iso(std::string_view text,
                                                        const date::time_zone& zone);

}  // namespace tweetup::timeparse
