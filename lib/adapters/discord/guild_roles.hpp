// Who may moderate tweetups in a Discord guild: its owner, and members whose roles grant
// ADMINISTRATOR, MANAGE_GUILD or MANAGE_EVENTS (issue 5 §4). Learned from the guild and role
// dispatches (GUILD_CREATE, GUILD_UPDATE, GUILD_DELETE, GUILD_ROLE_CREATE/UPDATE/DELETE), whose
// `d` arrives as JSON text. Pure; malformed dispatches are ignored and change nothing.
//
// Channel permission overwrites are not applied: the three rights are guild-wide management
// rights, and interactions carry the member's computed permissions anyway (use
// grants_moderation on those).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace tweetup {

class guild_roles {
 public:
  static constexpr std::uint64_t administrator = std::uint64_t{1} << 3;
  static constexpr std::uint64_t manage_guild = std::uint64_t{1} << 5;
  static constexpr std::uint64_t manage_events = std::uint64_t{1} << 33;

  // A permission bit set as Discord sends it (a decimal string); nullopt when malformed.
  static std::optional<std::uint64_t> parse_permissions(std::string_view text);
  static bool grants_moderation(std::uint64_t permissions);

  // `name` is the dispatch's t; other names are ignored.
  void on_dispatch(std::string_view name, std::string_view raw);

  // The member's roles as MESSAGE_CREATE's partial member lists them. An unknown guild
  // grants nothing.
  bool moderates(const std::string& guild_id, const std::string& user_id,
                 const std::vector<std::string>& role_ids) const;

  std::size_t guilds() const { return guilds_.size(); }

  // What it knows, as a JSON array of guilds shaped as GUILD_CREATE's `d` (id, owner_id,
  // roles with id and permissions), so that a process that resumes the gateway session of the
  // last one, and so gets no GUILD_CREATE, starts out knowing what that one did.
  std::string snapshot() const;
  // Takes each guild of a snapshot as a GUILD_CREATE; anything malformed is skipped.
  void restore(std::string_view snapshot);

 private:
  struct guild {
    std::string owner_id;
    std::unordered_map<std::string, std::uint64_t> roles;  // role id -> permissions
  };

  // Replaces what it knew of the guild a GUILD_CREATE's or GUILD_UPDATE's `d` describes.
  void learn_guild(const nlohmann::json& d);

  std::unordered_map<std::string, guild> guilds_;
};

}  // namespace tweetup
