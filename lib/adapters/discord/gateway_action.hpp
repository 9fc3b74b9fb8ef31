// One thing the gateway session asks its shell to do. The shell performs a batch of actions
// in order: e.g. `close` then `connect` means close this socket, then open a new one.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "adapters/discord/gateway_event.hpp"

namespace tweetup {

struct gateway_action {
  using time_point = std::chrono::steady_clock::time_point;

  enum class send_kind {
    heartbeat,  // op 1; never throttled (G13 "heartbeats first")
    identify,   // op 2
    resume,     // op 6
    queued,     // released from gateway_session::enqueue under the send budget
  };
  enum class connect_mode {
    identify,  // a new session on the cached gateway URL (G6, G10)
    resume,    // the old session on resume_gateway_url (G9)
  };

  // Write one text frame (B4).
  struct send {
    send_kind kind;
    std::string payload;
  };
  // Send a close frame with this code, then drop the connection. Never 1000/1001 unless the
  // session is meant to end (G11).
  struct close {
    std::uint16_t code;
    std::string reason;
  };
  // Open a websocket to `url` (query included) and report on_connected or on_connect_failed.
  struct connect {
    std::string url;
    connect_mode mode;
  };
  // Call on_timer at `at`; replaces any earlier wake-up. Every batch ends with one while the
  // session has a deadline (heartbeat, reconnect, delayed identify, next send slot).
  struct wake_at {
    time_point at;
  };
  // A dispatch (op 0) for the bot, in the order received.
  struct deliver {
    gateway_event event;
  };
  // A recovered fault worth a warning: a malformed frame, a refused payload.
  struct report {
    std::string text;
  };
  // The session has stopped for good; `reason` tells the operator what to fix (L4).
  struct fatal {
    std::string reason;
    std::optional<std::uint16_t> close_code;  // the server's close code, when one ended it
  };

  std::variant<send, close, connect, wake_at, deliver, report, fatal> what;
};

}  // namespace tweetup
