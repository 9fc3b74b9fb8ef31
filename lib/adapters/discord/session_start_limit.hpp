// Discord's session start limit (protocols.md G14; the Session Start Limit Object of
// GET /gateway/bot), and the shard count the same answer recommends (G15). The limit: how many more
// Identifies the bot may send before the limit resets. Resumes do not count. At 1,000 Identifies in
// 24 hours Discord ends every session of the app and RESETS THE BOT TOKEN, so a bot that a
// supervisor restarts in a loop, or that Discord keeps sending new sessions, must stop identifying
// when `remaining` is 0 and wait `reset_after`. Pure: before each Identify the adapter reads the
// limit from GET /gateway/bot (for the first, from the answer that gave the gateway URL) and waits
// as this says.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace tweetup {

struct session_start_limit {
  int total = 0;
  int remaining = 0;
  std::chrono::milliseconds reset_after{0};  // until `remaining` is `total` again
  int max_concurrency = 1;

  // Reads `session_start_limit` from the body of GET /gateway/bot; nullopt when the body or
  // the object is missing or malformed (the caller then identifies as before: the limit is
  // unknown, not zero).
  static std::optional<session_start_limit> from_gateway_bot(std::string_view body);

  // How long to wait before the next Identify: nothing while one is left, else until the reset
  // plus a second, so that the Identify is not read a few ms early.
  std::chrono::milliseconds wait_before_identify() const;
};

// `shards` from the same answer, the shard count Discord recommends (G15): nullopt when absent,
// malformed or below 1.
std::optional<int> recommended_shards(std::string_view gateway_bot_body);

}  // namespace tweetup
