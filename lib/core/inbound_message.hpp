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
  // The adapter collects this message's replies while its handler runs (a Discord interaction is
  // answered in one response), so the dispatcher handles it, and whatever is queued before it,
  // before the handler returns instead of in the next group commit.
  bool replies_inline = false;
};

}  // namespace tweetup
