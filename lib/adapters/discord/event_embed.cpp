#include "adapters/discord/event_embed.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <string>

#include "adapters/discord/discord_text.hpp"
#include "adapters/discord/message_payload.hpp"

namespace tweetup {

namespace {

using json = nlohmann::json;
using namespace std::string_view_literals;

constexpr std::string_view map_base = "https://www.google.com/maps/search/?api=1&query=";
// The zone is an IANA name; anything longer is not one, and the cap keeps the footer (and so
// the total) small whatever the card holds.
constexpr std::size_t max_zone_shown = 100;
constexpr std::size_t max_organizer_name = 256;

std::size_t units(std::string_view utf8) {
  return message_payload::content_length(utf8);
}

std::string fit_escaped(std::string_view text, std::size_t budget) {
  return discord_text::fit(text, budget, true);
}

// The longest prefix of `text`, in whole code points, whose map link is at most `budget` units.
std::string link_within(std::string_view text, std::size_t budget) {
  std::string link(map_base);
  if (link.size() > budget) return {};
  bool full = false;
  discord_text::for_each_code_point(text, [&](std::string_view cp) {
    if (full) return;
    const std::string next = event_embed::map_link(cp).substr(map_base.size());
    if (link.size() + next.size() > budget) {
      full = true;
      return;
    }
    link += next;
  });
  return link;
}

std::string when_text(const event_card& card) {
  return discord_text::timestamp(card.starts_at, card.ends_at, true);
}

std::string where_text(std::string_view place) {
  const std::string link = event_embed::map_link(place);
  const std::string whole = "[" + event_embed::escape_markdown(place) + "](" + link + ")";
  if (units(whole) <= event_embed::max_field_value) return whole;
  // Half the field for the name, the rest for the link: both stay useful, and "[](" + ")"
  // always fits.
  const std::string text = fit_escaped(place, event_embed::max_field_value / 2);
  const std::size_t room = event_embed::max_field_value - units(text) - 4;
  return "[" + text + "](" + link_within(place, room) + ")";
}

std::string plural(int n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

std::string answers_text(const event_card& card) {
  constexpr std::string_view dot = " \xC2\xB7 ";  // U+00B7 middle dot
  std::string out = std::to_string(card.going) + " going" + std::string(dot) +
                    std::to_string(card.maybe) + " maybe";
  const std::string waiting = std::to_string(card.waiting) + " waiting";
  if (card.capacity) {
    const int left = std::max(0, *card.capacity - card.going);
    if (left > 0) {
      out += std::string(dot) + plural(left, "spot left", "spots left");
      if (card.waiting > 0) out += std::string(dot) + waiting;
    } else {
      out += std::string(dot) + "full";
      if (card.waiting > 0) out += ", " + waiting;
    }
  } else if (card.waiting > 0) {
    out += std::string(dot) + waiting;
  }
  return out;
}

std::size_t text_units(const json& object, std::string_view key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? units(it->get_ref<const std::string&>()) : 0;
}

}  // namespace

std::string event_embed::escape_markdown(std::string_view text) {
  return discord_text::fit(text, std::string_view::npos, true);
}

std::string event_embed::map_link(std::string_view place) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out(map_base);
  // RFC 3986 unreserved characters stay; every other byte, space included, is %XX, so a
  // place cannot end the markdown link with ")" or add query parameters.
  discord_text::for_each_code_point(place, [&](std::string_view cp) {
    for (const char ch : cp) {
      const auto c = static_cast<unsigned char>(ch);
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '.' || c == '_' || c == '~') {
        out += ch;
      } else {
        out += '%';
        out += hex[c >> 4];
        out += hex[c & 0xF];
      }
    }
  });
  return out;
}

nlohmann::json event_embed::embed(const event_card& card) {
  const std::string head =
      std::string(card.cancelled ? "Cancelled: " : "") + "#" + std::to_string(card.number);
  std::string title = head;
  if (!card.place.empty()) title += " " + fit_escaped(card.place, max_title - units(head) - 1);

  json fields = json::array();
  const auto add = [&](std::string_view name, std::string value) {
    fields.push_back({{"name", name}, {"value", std::move(value)}, {"inline", false}});
  };
  add("When", when_text(card));
  if (!card.place.empty()) add("Where", where_text(card.place));
  if (discord_text::is_snowflake(card.organizer.id)) {
    add("Organizer", "<@" + card.organizer.id + ">");
  } else if (!card.organizer.name.empty()) {
    add("Organizer", fit_escaped(card.organizer.name, max_organizer_name));
  }
  add("Answers", answers_text(card));

  std::string footer = "Times in your local time";
  if (!card.zone.empty()) {
    footer += "; the channel plans in ";
    // The footer does not render markdown, so the zone is cut but not escaped.
    footer += discord_text::fit(card.zone, max_zone_shown, false);
  }

  const int color = card.cancelled ? color_cancelled : card.open ? color_open : color_over;
  return {{"title", title}, {"color", color}, {"fields", fields}, {"footer", {{"text", footer}}}};
}

nlohmann::json event_embed::components(const event_card& card) {
  if (!card.open || card.cancelled) return json::array();
  const auto button = [&](int style, std::string_view label, answer said) {
    return json{{"type", 2},
                {"style", style},
                {"label", label},
                {"custom_id", custom_id(said, card.number)}};
  };
  // R7: an action row (type 1) of buttons (type 2); 3 success, 2 secondary, 4 danger.
  return json::array({{{"type", 1},
                       {"components",
                        {button(3, "I'm in", answer::yes), button(2, "Maybe", answer::maybe),
                         button(4, "Can't go", answer::no)}}}});
}

std::string event_embed::custom_id(answer said, int number) {
  const std::string_view word = said == answer::yes     ? "yes"
                                : said == answer::maybe ? "maybe"
                                                        : "no";
  return "rsvp:" + std::string(word) + ":" + std::to_string(number);
}

std::optional<event_embed::button> event_embed::parse_custom_id(std::string_view custom_id) {
  constexpr std::string_view prefix = "rsvp:";
  if (!custom_id.starts_with(prefix)) return std::nullopt;
  custom_id.remove_prefix(prefix.size());
  const std::size_t colon = custom_id.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string_view word = custom_id.substr(0, colon);
  const std::string_view digits = custom_id.substr(colon + 1);
  button b;
  if (word == "yes") {
    b.said = answer::yes;
  } else if (word == "maybe") {
    b.said = answer::maybe;
  } else if (word == "no") {
    b.said = answer::no;
  } else {
    return std::nullopt;
  }
  // Event numbers fit in 9 digits (the core's parser takes no more); we never write a sign or
  // a leading zero, so anything else is not ours.
  if (digits.empty() || digits.size() > 9 || digits.front() == '0') return std::nullopt;
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  std::from_chars(digits.data(), digits.data() + digits.size(), b.number);
  return b;
}

std::size_t event_embed::total_length(const nlohmann::json& embed) {
  if (!embed.is_object()) return 0;
  std::size_t total = text_units(embed, "title") + text_units(embed, "description");
  if (const auto fields = embed.find("fields"); fields != embed.end() && fields->is_array()) {
    for (const auto& field : *fields) {
      if (!field.is_object()) continue;
      total += text_units(field, "name") + text_units(field, "value");
    }
  }
  for (const auto* key : {"footer", "author"}) {
    const auto it = embed.find(key);
    if (it == embed.end() || !it->is_object()) continue;
    total += text_units(*it, key == std::string_view("footer") ? "text" : "name");
  }
  return total;
}

}  // namespace tweetup
