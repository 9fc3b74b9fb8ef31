// The command table: the single source for parsing names, `!help`, the README and the test
// that runs every example.
#pragma once

#include <span>
#include <string_view>

namespace tweetup {

struct command_spec {
  std::string_view name;     // "join", "tweetup cancel": what `!help <name>` takes
  std::string_view usage;    // without the prefix: "join <id> [+N]"
  std::string_view summary;  // one line
  std::span<const std::string_view> examples;  // without the prefix; run in order by a test
  bool organizer_only = false;                 // the organizer or a channel moderator
};

// Every command, in the order `!help` lists them. The examples, run in this order on an empty
// channel, all succeed.
std::span<const command_spec> command_specs();
const command_spec* find_command_spec(std::string_view name);

}  // namespace tweetup
