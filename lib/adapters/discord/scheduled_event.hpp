// A tweetup as a Discord Guild Scheduled Event (protocols.md R10), so it also shows in the
// guild's Events tab (config `discord.scheduled_events`). Pure JSON builders.
//
// The event is EXTERNAL (entity_type 3): channel_id null, the place as entity_metadata.location
// (1-100 characters), and an end time (the tweetup's end, or its start plus the default length).
// Its description ends with a marker line naming the channel and the tweetup's number, so the
// bot finds its own events again after a restart (GET .../scheduled-events) instead of making
// them twice.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/event_card.hpp"

namespace tweetup {

struct scheduled_event {
  static constexpr std::size_t max_name = 100;
  static constexpr std::size_t max_location = 100;

  // "tweetup:<channel id>:<number>".
  static std::string marker(std::string_view channel_id, int number);
  // POST /guilds/{id}/scheduled-events.
  static nlohmann::json create_body(const event_card& card, std::string_view channel_id);
  // PATCH of the fields that follow the tweetup (name, location, times); a cancelled tweetup
  // gets status 4 (CANCELED) instead, which is final.
  static nlohmann::json update_body(const event_card& card);
  // An update_body that cancels: nothing may follow it (CANCELED is final).
  static bool is_cancel(const nlohmann::json& body);
  // The marker in a scheduled event object's description, if it is one of ours.
  static std::optional<std::string> marker_of(const nlohmann::json& event);
};

}  // namespace tweetup
