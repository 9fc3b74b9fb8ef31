// Text measured and cut the way Discord's limits need it (protocols.md R4, R6, R10). Pure.
//
// Lengths are UTF-16 code units (message_payload::content_length), never less than what Discord
// counts. Cuts fall on code point boundaries; invalid UTF-8 bytes become U+FFFD, which both
// nlohmann::json and Discord need.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tweetup::discord_text {

inline constexpr std::string_view ellipsis = "\xE2\x80\xA6";  // U+2026, one UTF-16 unit
inline constexpr std::string_view replacement = "\xEF\xBF\xBD";

// Byte length of the well-formed UTF-8 sequence at the start of `bytes`, or 0, with its code
// point in `code_point`.
std::size_t decode(std::string_view bytes, char32_t& code_point);
// Byte length of the well-formed UTF-8 sequence at the start of `text`, or 0.
std::size_t sequence_size(std::string_view text);
// A snowflake as Discord sends it (R3): 1 to 20 decimal digits.
bool is_snowflake(std::string_view id);
// When Discord made the object with snowflake `id`: its bits from 22 up count milliseconds
// since 2015-01-01 UTC. nullopt when `id` is not a snowflake or does not fit 64 bits.
std::optional<std::chrono::system_clock::time_point> snowflake_time(std::string_view id);

// Calls visit(code point as bytes) for each code point of `text`; an invalid byte is visited as
// U+FFFD.
template <typename Visit>
void for_each_code_point(std::string_view text, Visit visit) {
  while (!text.empty()) {
    const std::size_t size = sequence_size(text);
    if (size == 0) {
      visit(replacement);
      text.remove_prefix(1);
    } else {
      visit(text.substr(0, size));
      text.remove_prefix(size);
    }
  }
}

// One of the characters Discord markdown gives a meaning to: \ * _ ~ | > < ` [ ]
bool is_markdown(std::string_view code_point);

// `text` (markdown-escaped when `escape`), in at most `budget` units: when the whole does not
// fit, the longest prefix of whole code points (each with its escape) that leaves room for the
// ellipsis, then the ellipsis. Cutting the raw text rather than the escaped one means a cut
// never strands a backslash.
std::string fit(std::string_view text, std::size_t budget, bool escape = false);

// An instant as Discord message formatting (DDOCS reference, Message Formatting), which every
// reader sees in their own zone: "<t:S:F>", then " – <t:E:t>" for an end on the same day
// (":f" with its date otherwise), then " (<t:S:R>)" ("in 4 hours") when `relative`.
std::string timestamp(std::chrono::sys_seconds start, std::optional<std::chrono::sys_seconds> end,
                      bool relative);
// The same, appended to `out`. The text is ASCII digits and punctuation and U+2013 only:
// nothing that a JSON string escapes, so a body may take it as it is.
void append_timestamp(std::string& out, std::chrono::sys_seconds start,
                      std::optional<std::chrono::sys_seconds> end, bool relative);

}  // namespace tweetup::discord_text
