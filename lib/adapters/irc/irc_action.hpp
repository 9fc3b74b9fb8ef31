// One thing the IRC session asks its shell to do. The shell performs a batch of actions in
// order: e.g. `disconnect` then `wake_at` means drop this socket now and call back later, when
// the session will ask for a `connect`.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace tweetup::irc {

struct irc_action {
  using time_point = std::chrono::steady_clock::time_point;

  // Write one IRC line as one WebSocket message, without CR LF (W2). `sensitive` lines (PASS,
  // AUTHENTICATE) carry the password: the shell must never log their text.
  struct send_line {
    std::string text;
    bool sensitive = false;
    // The say() receipt whose last line this is, settled once the line is written; 0: none,
    // or one the session settles itself, by the server's echo (`delivered` or `not_sent`).
    std::uint64_t receipt = 0;
  };
  // The server relayed the message of a say() receipt: it echoed the last line (echo-message).
  struct delivered {
    std::uint64_t receipt = 0;
  };
  // The message of a say() receipt was not sent: refused for good (an invalid target, a
  // channel that will not have us), or not now (the queue was full, a moderated channel, a
  // line the server never echoed).
  struct not_sent {
    std::uint64_t receipt = 0;
    bool for_good = false;
  };
  // Drop any current connection and open a new one; report on_connected, or on_disconnected
  // when it fails.
  struct connect {};
  // Close the current connection (after writing what was sent before it). The session has
  // already planned what comes next: do not report on_disconnected for it.
  struct disconnect {
    std::string reason;
  };
  // Call on_timer at `at`; replaces any earlier wake-up. A batch ends with one whenever the
  // session has a deadline (reconnect, idle PING, PONG timeout, rejoin, next send slot).
  struct wake_at {
    time_point at;
  };
  // A chat message for the bot: a PRIVMSG in a channel we are in, or to us (then `channel` is
  // the sender's nick). `text` is as received, CTCP ACTION framing aside; the core validates it.
  struct deliver {
    std::string channel;
    std::string nick;
    // Who the sender is, for RSVPs and organizer rights: the nick with its letters in lower
    // case, so "Alice" and "alice", one nick to every server (I7), are one person. Not folded
    // further by CASEMAPPING: rfc1459's []\~ ≡ {}|^ would merge nicks that an ascii or
    // rfc8265 server keeps apart, and the id would change with the server's 005.
    std::string user_id;
    std::string user_host;  // "user@host" of the sender, "" when the server gave none
    std::string text;
    // STATUSMSG: the message went to the channel's members with this prefix or above (e.g.
    // "@#tweetup", operators only), so its replies go there too. Empty for a plain message.
    std::string reply_target;
    bool is_moderator = false;         // op/halfop or above (IRC), broadcaster/moderator (Twitch)
    std::optional<std::string> msgid;  // IRCv3 "msgid", or Twitch's "id" tag
  };
  // Something worth a log line (connection lifecycle, a recovered fault). Never holds a secret.
  struct report {
    std::string text;
  };
  // The session has stopped for good; `reason` tells the operator what to fix.
  struct fatal {
    std::string reason;
  };

  std::variant<send_line, delivered, not_sent, connect, disconnect, wake_at, deliver, report, fatal>
      what;
};

}  // namespace tweetup::irc
