// Finds the time phrase in free text and resolves it to one future instant in a given zone.
//
// Contract (see ../shared/time-conventions.md, the specification):
// - Pure and synchronous: never reads the clock, the host zone (TZ) or any global state other than
//   the read-only tz database behind `date::time_zone` (and a per-thread copy of the few offsets
//   it last read there, which saves searches but never changes an answer). The same inputs always
//   give the same answer.
// - Linear in the input length; no backtracking regular expressions. Inputs of any size and any
//   bytes (invalid UTF-8, NUL, control characters) are accepted and never crash. In a Release
//   build no input of up to 4,000 bytes (the longest command the bot reads) takes 1 ms;
//   bench/timeparse_worst_case.cpp checks it.
// - `zone` must outlive the call. Results are UTC instants; the caller formats them in `zone`.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <variant>

#include "timeparse/parsed_time.hpp"

namespace date {
class time_zone;
}

namespace tweetup::timeparse {

struct parse_context {
  std::chrono::sys_seconds now;  // the current instant
  const date::time_zone* zone;   // the channel's zone; never null
};

using time_result = std::variant<parsed_time, parse_error>;

// Parses a text that should contain only a time phrase (the `parse-time` CLI).
time_result parse_time(std::string_view text, const parse_context& ctx);

struct parsed_command {
  parsed_time time;
  std::string place;  // as typed, minus the time phrase and its connecting words
};

using command_result = std::variant<parsed_command, parse_error>;

// Splits "<place> <time>" or "<time> <place>" (the `!tweetup` arguments, keyword already removed)
// into a place and a time. Words that only look like times stay in the place ("Noon Cafe").
command_result parse_place_and_time(std::string_view text, const parse_context& ctx);

}  // namespace tweetup::timeparse
