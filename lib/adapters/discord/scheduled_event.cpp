#include "adapters/discord/scheduled_event.hpp"

#include <cstdio>

#include "adapters/discord/discord_text.hpp"

namespace tweetup {

namespace {

using json = nlohmann::json;

constexpr std::string_view marker_prefix = "tweetup:";

// ISO 8601 in UTC ("2026-12-01T15:00:00Z"); C++20's calendar types suffice (GCC 12 lacks only
// the zones).
std::string iso(std::chrono::sys_seconds t) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss<std::chrono::seconds> time{t - day};
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return text;
}

std::chrono::sys_seconds end_of(const event_card& card) {
  // R10: an EXTERNAL event needs an end; a tweetup without one lasts the default length.
  return card.ends_at && *card.ends_at > card.starts_at ? *card.ends_at
                                                        : card.starts_at + default_event_length;
}

std::string name_of(const event_card& card) {
  return discord_text::fit("Tweetup #" + std::to_string(card.number) + ": " + card.place,
                           scheduled_event::max_name);
}

}  // namespace

std::string scheduled_event::marker(std::string_view channel_id, int number) {
  return std::string(marker_prefix) + std::string(channel_id) + ":" + std::to_string(number);
}

json scheduled_event::create_body(const event_card& card, std::string_view channel_id) {
  json body = update_body(card);
  body["privacy_level"] = 2;  // GUILD_ONLY, the only value (R10)
  body["entity_type"] = 3;    // EXTERNAL
  body["channel_id"] = nullptr;
  body["description"] = "Join with the buttons on the announcement, or /tweetup join id:" +
                        std::to_string(card.number) + ".\n" + marker(channel_id, card.number);
  return body;
}

json scheduled_event::update_body(const event_card& card) {
  if (card.cancelled) return {{"status", 4}};
  const std::string location =
      card.place.empty() ? std::string("?") : discord_text::fit(card.place, max_location);
  return {{"name", name_of(card)},
          {"scheduled_start_time", iso(card.starts_at)},
          {"scheduled_end_time", iso(end_of(card))},
          {"entity_metadata", {{"location", location}}}};
}

bool scheduled_event::is_cancel(const json& body) {
  const auto status = body.is_object() ? body.find("status") : body.end();
  return body.is_object() && status != body.end() && *status == 4;
}

std::optional<std::string> scheduled_event::marker_of(const json& event) {
  if (!event.is_object()) return std::nullopt;
  const auto description = event.find("description");
  if (description == event.end() || !description->is_string()) return std::nullopt;
  const auto& text = description->get_ref<const std::string&>();
  const auto at = text.rfind(marker_prefix);
  if (at == std::string::npos || (at > 0 && text[at - 1] != '\n')) return std::nullopt;
  const std::string found = text.substr(at);
  if (found.find_first_of(" \n") != std::string::npos) return std::nullopt;
  return found;
}

}  // namespace tweetup
