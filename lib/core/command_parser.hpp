// Turns a chat line into a command. Pure; knows nothing of events or storage.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "core/command.hpp"

namespace tweetup {

// Longer commands are refused whole, so a hostile paste costs one short reply and no parsing.
inline constexpr std::size_t max_command_bytes = 4000;
// A +N larger than this is a typo or a prank, not a party.
inline constexpr int max_guests = 20;

// Returns nullopt when the line is not addressed to the bot (no prefix, or an unknown command
// name that may belong to another bot): such lines are ignored silently. A line that names one
// of our commands always gives a command, or a command_error saying how to fix it.
std::optional<command> parse_command(std::string_view text, std::string_view prefix);

}  // namespace tweetup
