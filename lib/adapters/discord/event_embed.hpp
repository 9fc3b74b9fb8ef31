// The core's event_card as a Discord embed with RSVP buttons (protocols.md R6, R7). Pure and
// stateless; never throws.
//
// The embed:
//   title   "#N <place>", "Cancelled: #N <place>" for a cancelled event
//   When    "<t:S:F> – <t:E:t> (<t:S:R>)": Discord's timestamp markup, so every reader sees
//           their own local time (DDOCS reference.mdx §Message Formatting). The end is left out
//           when there is none; it is written <t:E:f> (with its date) when it lies a day or more
//           after the start.
//   Where   "[<place>](https://www.google.com/maps/search/?api=1&query=<percent-encoded place>)"
//   Organizer "<@id>" (a mention inside an embed never pings), the name when the id is not a
//           snowflake
//   Answers "3 going · 1 maybe · 2 spots left", "4 going · 0 maybe · full, 2 waiting"
//   color   green while open, grey when over, red when cancelled
//   footer  "Times in your local time; the channel plans in <zone>"
// The place is shown with Discord markdown escaped (\ * _ ~ | > < ` [ ] get a backslash), so it
// cannot format the embed, fake a link or render a mention or timestamp. Every R6 limit
// holds: a text too long is cut on a code point boundary, never inside an escape, and ends with
// "…". Lengths are counted in UTF-16 code units, which is never less than what Discord counts.
// A Where value that would pass 1024 keeps the link but searches for the beginning of the place.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/event_card.hpp"

namespace tweetup {

struct event_embed {
  static constexpr std::size_t max_title = 256;         // R6
  static constexpr std::size_t max_field_value = 1024;  // R6
  static constexpr std::size_t max_footer = 2048;       // R6
  static constexpr std::size_t max_total = 6000;        // R6, all embeds of one message
  static constexpr std::size_t max_custom_id = 100;     // R7

  static constexpr int color_open = 0x57F287;
  static constexpr int color_over = 0x99AAB5;
  static constexpr int color_cancelled = 0xED4245;

  // What an RSVP button says. Its custom_id is "rsvp:yes:<N>", "rsvp:maybe:<N>" or
  // "rsvp:no:<N>", N the event number in decimal.
  enum class answer { yes, maybe, no };
  struct button {
    answer said = answer::yes;
    int number = 0;  // >= 1
  };

  // One embed object (for a message's "embeds" array).
  static nlohmann::json embed(const event_card& card);

  // The message's "components": one action row with I'm in (style 3), Maybe (style 2) and
  // Can't go (style 4) while the card is open and not cancelled; otherwise an empty array, so
  // a message edited with it loses its buttons.
  static nlohmann::json components(const event_card& card);

  static std::string custom_id(answer said, int number);
  // The button a custom_id names; nullopt for anything else (other prefixes, a number that is
  // not 1 to 9 plain decimal digits without a leading zero, trailing text).
  static std::optional<button> parse_custom_id(std::string_view custom_id);

  // Discord markdown in `text` escaped as described above.
  static std::string escape_markdown(std::string_view text);
  // The Google Maps search link for a place.
  static std::string map_link(std::string_view place);
  // Characters of an embed as counted against max_total: title, field names and values,
  // footer text, description, author name (UTF-16 code units).
  static std::size_t total_length(const nlohmann::json& embed);
};

}  // namespace tweetup
