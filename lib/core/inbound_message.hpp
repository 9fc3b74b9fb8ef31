// A chat message as the core sees it, whatever platform it came from.
#pragma once

#include <string>

#include "core/channel_ref.hpp"
#include "core/user_ref.hpp"

namespace tweetup {

struct inbound_message {
  channel_ref channel;
  user_ref author;
  std::string text;                  // raw bytes as received; the core validates them
  std::string message_id;            // platform id of this message; makes reply keys idempotent
  bool author_is_moderator = false;  // the platform's judgement (Discord perms, IRC op, console)
};

}  // namespace tweetup
