// A message the bot sends: text and mentions in order, so each adapter renders a mention its own
// way (Discord <@id>, IRC nick, console @name) and pings exactly the people listed, nobody else.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/channel_ref.hpp"
#include "core/event_card.hpp"
#include "core/user_ref.hpp"

namespace tweetup {

// The instant a piece of text words in the channel's zone ("Sat 28 Nov, 3:00 PM CST (in 4 h)"),
// so an adapter that can show each reader their own local time (Discord: <t:UNIX:F>) renders
// the instant instead of the text.
struct moment {
  std::chrono::sys_seconds start;
  std::optional<std::chrono::sys_seconds> end;
  bool relative = false;  // the text also says how far off it is ("in 4 h")
  friend bool operator==(const moment&, const moment&) = default;
};

struct message_piece {
  std::string text;                 // shown as is; user-typed text was sanitized before it got here
  std::optional<user_ref> mention;  // when set, this piece is a mention of that user
  std::optional<moment> when;       // when set, `text` words this instant
};

// How an adapter ended with a message that asked to hear of it (outbound_message::on_settled).
// In order of certainty lost: a message of several parts ends as its least certain part.
enum class delivery {
  delivered,  // the platform took it
  refused,    // refused for good: a channel we may not post in, a message it will never take
  unknown,    // no answer, or lost on a dropped connection: it may be sent again, same key
};

struct outbound_message {
  channel_ref channel;
  std::vector<message_piece> pieces;
  // Stable across retries of the same logical message; adapters that can deduplicate
  // (Discord's nonce with enforce_nonce) use it so a resend is dropped by the platform.
  std::string idempotency_key;
  std::string reply_to;  // platform id of the message this answers; empty when unsolicited
  // The event this message presents or changed, for adapters that can show it natively. The
  // text says everything too, so adapters without cards ignore it.
  std::optional<event_card> card;
  // When set (the scheduler's notices), the adapter calls it once, when it knows how delivery
  // ended. Never called when the process ends first: the job is then sent again after the
  // restart, with the same idempotency_key.
  std::function<void(delivery)> on_settled;

  outbound_message& add_text(std::string_view text);
  // The same; a piece of its own takes the string rather than a copy.
  outbound_message& add_text(std::string&& text);
  outbound_message& add_text(const char* text) { return add_text(std::string_view(text)); }
  outbound_message& add_mention(const user_ref& user);
  // `text` as the wording of `when`.
  outbound_message& add_when(std::string text, const moment& when);
  // Every piece of `other`, in order (text merged where it can be).
  outbound_message& append(const outbound_message& other);
  // The same, taking the pieces rather than copies.
  outbound_message& append(outbound_message&& other);

  // Everyone this message pings, in order of first appearance.
  std::vector<user_ref> mentions() const;
  // The message with every mention written as "@name": for the console, logs and tests.
  std::string plain_text() const;
};

}  // namespace tweetup
