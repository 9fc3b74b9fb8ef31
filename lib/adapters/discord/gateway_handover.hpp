// What a stopping Discord adapter leaves for the next process, so that a restart (a deploy, a
// container restarted) loses nothing said meanwhile: each shard's session to resume (G9, G11:
// a session closed with a code other than 1000/1001 stays resumable for a few minutes, and a
// Resume replays every event after the sequence number it names), and what READY and the
// guild dispatches had taught the old process, since a resumed session does not send them
// again (the application id, the guilds' owners and roles, for moderator rights).
//
// Stored as JSON text in adapter_memory (core/adapter_memory.hpp). Pure; never throws.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/discord/gateway_session.hpp"

namespace tweetup {

struct gateway_handover {
  struct shard {
    int id = 0;
    int count = 1;  // 1: the bot ran one connection (no shard named in Identify)
    gateway_session::resume_point point;
  };

  // Sessions belong to one bot: a handover made under another token is not used.
  std::string token_tag;
  std::chrono::sys_seconds saved_at{};
  std::string application_id;
  std::vector<shard> shards;
  std::string guilds;  // guild_roles::snapshot(): a JSON array

  // Discord keeps a dropped session "for a few minutes" (G11); past this, trying costs a
  // refused Resume and 1 - 5 s before identifying, so it is not tried.
  static constexpr std::chrono::minutes max_age{10};

  // A fingerprint of the token that does not reveal it: 16 hex digits of its SHA-256.
  static std::string tag_of(std::string_view token);

  std::string encode() const;
  // None for text that is not a handover this build wrote.
  static std::optional<gateway_handover> decode(std::string_view text);

  // Whether a process holding `token_tag` may use it at `now`: the same bot, and saved within
  // max_age (and not in the future: a clock set back makes its age unknowable).
  bool usable(std::string_view tag, std::chrono::sys_seconds now) const;
  // The session of shard `id` of `count`, if this handover has it.
  std::optional<gateway_session::resume_point> session_of(int id, int count) const;
};

}  // namespace tweetup
