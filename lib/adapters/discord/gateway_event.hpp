// One decoded gateway payload (protocols.md G3): the envelope fields plus, for the opcodes and
// dispatches the bot acts on, the typed contents of `d`. Plain data; cheap to move.
// Snowflakes stay strings (R3), never numbers.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace tweetup {

struct gateway_event {
  // op 10.
  struct hello {
    std::chrono::milliseconds heartbeat_interval{};
  };
  // op 0, t READY (G8). Only what the session and the bot need; guilds arrive as GUILD_CREATE.
  struct ready {
    std::string session_id;
    std::string resume_gateway_url;
    std::string user_id;
    std::string application_id;
  };
  // op 0, t RESUMED: the replay after a Resume is complete (G9).
  struct resumed {};
  struct message_author {
    std::string id;
    std::string username;
    std::optional<std::string> global_name;
    bool bot = false;
  };
  // The partial guild member that comes with guild messages; interactions also carry
  // `permissions` (a bit set as a decimal string).
  struct message_member {
    std::vector<std::string> roles;
    std::optional<std::string> permissions;
  };
  // op 0, t MESSAGE_CREATE. `content` is empty without MESSAGE_CONTENT (G7).
  struct message_create {
    std::string id;
    std::string channel_id;
    std::optional<std::string> guild_id;
    message_author author;
    std::string content;
    std::optional<message_member> member;
  };
  // op 0, t INTERACTION_CREATE: `d` kept as JSON text until the interaction code reads it (R8).
  struct interaction_create {
    std::string raw;
  };
  // op 0 with any other t; the name is in gateway_event::t. For GUILD_* events `raw` keeps `d`
  // as JSON text (guilds, roles and owners decide who moderates); empty otherwise.
  struct other_dispatch {
    std::string raw;
  };
  // op 1 from the server: send a heartbeat now (G5).
  struct heartbeat_request {};
  // op 11.
  struct heartbeat_ack {};
  // op 7.
  struct reconnect {};
  // op 9; `resumable` is its `d`.
  struct invalid_session {
    bool resumable = false;
  };
  // An opcode the bot does not handle; kept so it can be logged.
  struct unknown_op {};

  // unknown_op first: it is the natural empty value of a default-constructed event.
  using payload =
      std::variant<unknown_op, hello, ready, resumed, message_create, interaction_create,
                   other_dispatch, heartbeat_request, heartbeat_ack, reconnect, invalid_session>;

  int op = 0;
  std::optional<std::int64_t> s;
  std::optional<std::string> t;
  payload data;
};

}  // namespace tweetup
