// Where a message came from or goes to: a platform plus that platform's channel id.
#pragma once

#include <compare>
#include <string>

namespace tweetup {

struct channel_ref {
  std::string platform;  // "console", "discord", "irc"
  std::string channel;   // the platform's own id: "console", a Discord snowflake, "#tweetup"
  friend auto operator<=>(const channel_ref&, const channel_ref&) = default;
};

}  // namespace tweetup
