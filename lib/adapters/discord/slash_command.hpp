// The /tweetup slash command as Discord registers it (protocols.md R9), and the check that tells
// whether the registered definition is already ours. Pure; never throws.
//
// /tweetup is one CHAT_INPUT command (type 1) with a subcommand (option type 1) per typed
// command: create (place, when), list, join (id, guests?), maybe (id), leave (id), info (id),
// move (id, when), place (id, place), limit (id, seats?), cancel (id), tz (zone),
// reminders (offsets), status, calendar, help (command?). Descriptions come from the core's command
// table (core/command_spec.hpp). interaction.hpp maps each back to the typed line.
#pragma once

#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

namespace tweetup {

struct slash_command {
  static constexpr std::string_view name = "tweetup";
  static constexpr std::size_t max_description = 100;  // R9
  static constexpr std::size_t max_options = 25;       // R9, per level

  // The /tweetup command object, as POSTed or part of a bulk overwrite.
  static nlohmann::json tweetup_command();

  // The body of the bulk-overwrite PUT /applications/{app}/commands (or .../guilds/{guild}/
  // commands): every command the bot has, as an array. A PUT replaces all commands in the scope.
  static nlohmann::json commands_payload();

  // True when `registered` (the array GET .../commands returned) defines the same commands as
  // `wanted` (a commands_payload()), so no PUT is needed: R9 caps command creates at 200 a day.
  // Commands are matched by name and type, in any order. Compared: type (absent is 1),
  // description and the options, in order and recursively: type, name, description, required
  // and autocomplete (absent is false), min_value, max_value, min_length, max_length,
  // channel_types, choices (name and value, in order) and nested options (absent is none).
  // Ignored: what the server adds (id, application_id, guild_id, version,
  // default_member_permissions, dm_permission, contexts, integration_types, nsfw, handler,
  // *_localizations, *_localized). Anything not an array of objects is never the same.
  static bool same_commands(const nlohmann::json& registered, const nlohmann::json& wanted);
};

}  // namespace tweetup
