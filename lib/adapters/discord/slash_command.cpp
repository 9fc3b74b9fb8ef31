#include "adapters/discord/slash_command.hpp"

#include <string>
#include <vector>

#include "adapters/discord/api_types.hpp"
#include "core/command_parser.hpp"
#include "core/command_spec.hpp"

namespace tweetup {

namespace {

using json = nlohmann::json;

using namespace discord_api;

// The core refuses more seats than this (command_parser.cpp, limit).
constexpr int max_seats = 100000;

// R9: 1 to 100 characters. The table's summaries are short; a longer one is cut at a space.
std::string description(std::string_view spec_name, std::string_view fallback) {
  const command_spec* spec = find_command_spec(spec_name);
  std::string text(spec != nullptr && !spec->summary.empty() ? spec->summary : fallback);
  if (text.size() > slash_command::max_description) {
    const std::size_t space = text.rfind(' ', slash_command::max_description - 3);
    text = text.substr(0, space == std::string::npos ? slash_command::max_description - 3 : space) +
           "...";
  }
  return text;
}

json option(int type, std::string_view name, std::string_view text, bool required) {
  json o = {{"type", type}, {"name", name}, {"description", text}};
  if (required) o["required"] = true;
  return o;
}

json id_option() {
  json o = option(integer_option, "id", "The tweetup's number, as /tweetup list shows it", true);
  o["min_value"] = 1;
  return o;
}

json place_option() {
  return option(string_option, "place", "Where: a cafe, a park, an address", true);
}

json when_option() {
  return option(string_option, "when", "When, like 3pm, tomorrow 7:30pm or fri 6-8pm", true);
}

json sub(std::string_view name, std::string_view spec_name, std::string_view fallback,
         json options = json::array()) {
  json s = {
      {"type", sub_command}, {"name", name}, {"description", description(spec_name, fallback)}};
  if (!options.empty()) s["options"] = std::move(options);
  return s;
}

const json& value_or_null(const json& object, std::string_view key) {
  static const json null;
  const auto it = object.find(key);
  return it == object.end() ? null : *it;
}

bool flag(const json& object, std::string_view key) {
  const json& value = value_or_null(object, key);
  return value.is_boolean() && value.get<bool>();
}

// A missing key and an explicit null read the same; Discord leaves some out and nulls others.
bool same_value(const json& a, const json& b, std::string_view key) {
  return value_or_null(a, key) == value_or_null(b, key);
}

bool same_choices(const json& a, const json& b) {
  const json& left = value_or_null(a, "choices");
  const json& right = value_or_null(b, "choices");
  const bool left_none = left.is_null() || (left.is_array() && left.empty());
  const bool right_none = right.is_null() || (right.is_array() && right.empty());
  if (left_none || right_none) return left_none && right_none;
  if (!left.is_array() || !right.is_array() || left.size() != right.size()) return false;
  for (std::size_t i = 0; i < left.size(); ++i) {
    if (!left[i].is_object() || !right[i].is_object()) return false;
    if (!same_value(left[i], right[i], "name") || !same_value(left[i], right[i], "value")) {
      return false;
    }
  }
  return true;
}

bool same_options(const json& a, const json& b);

bool same_option(const json& a, const json& b) {
  if (!a.is_object() || !b.is_object()) return false;
  for (const auto* key : {"type", "name", "description", "min_value", "max_value", "min_length",
                          "max_length", "channel_types"}) {
    if (!same_value(a, b, key)) return false;
  }
  return flag(a, "required") == flag(b, "required") &&
         flag(a, "autocomplete") == flag(b, "autocomplete") && same_choices(a, b) &&
         same_options(a, b);
}

bool same_options(const json& a, const json& b) {
  const json& left = value_or_null(a, "options");
  const json& right = value_or_null(b, "options");
  const bool left_none = left.is_null() || (left.is_array() && left.empty());
  const bool right_none = right.is_null() || (right.is_array() && right.empty());
  if (left_none || right_none) return left_none && right_none;
  if (!left.is_array() || !right.is_array() || left.size() != right.size()) return false;
  // Option order is what users see (and required ones come first), so it counts.
  for (std::size_t i = 0; i < left.size(); ++i) {
    if (!same_option(left[i], right[i])) return false;
  }
  return true;
}

json command_type(const json& command) {
  const json& type = value_or_null(command, "type");
  return type.is_null() ? json(chat_input) : type;
}

bool same_command(const json& a, const json& b) {
  return command_type(a) == command_type(b) && same_value(a, b, "name") &&
         same_value(a, b, "description") && same_options(a, b);
}

}  // namespace

nlohmann::json slash_command::tweetup_command() {
  json guests =
      option(integer_option, "guests", "People you bring along; they take seats too", false);
  guests["min_value"] = 0;
  guests["max_value"] = max_guests;
  json seats = option(integer_option, "seats",
                      "Seats in all, guests included; leave it out for no limit", false);
  seats["min_value"] = 1;
  seats["max_value"] = max_seats;

  json subcommands = json::array({
      sub("create", "tweetup", "Plan a tweetup", json::array({place_option(), when_option()})),
      sub("list", "tweetups", "List the upcoming tweetups in this channel"),
      sub("join", "join", "Say you're going", json::array({id_option(), guests})),
      sub("maybe", "maybe", "Say you might come", json::array({id_option()})),
      sub("leave", "leave", "Say you can't go", json::array({id_option()})),
      sub("info", "tweetup info", "Show a tweetup", json::array({id_option()})),
      sub("move", "tweetup move", "Change the time", json::array({id_option(), when_option()})),
      sub("place", "tweetup place", "Change the place", json::array({id_option(), place_option()})),
      sub("limit", "tweetup limit", "Cap the seats", json::array({id_option(), seats})),
      sub("cancel", "tweetup cancel", "Call it off", json::array({id_option()})),
      sub("tz", "tweetup tz", "Set this channel's time zone",
          json::array({option(string_option, "zone", "An IANA time zone name, like America/Chicago",
                              true)})),
      sub("reminders", "tweetup reminders", "Set when reminders go out",
          json::array(
              {option(string_option, "offsets",
                      "How long before the start, like \"2h 10m\"; or off, or default", true)})),
      sub("status", "tweetup status", "Show what is waiting to go out here"),
      sub("calendar", "tweetup calendar", "Get this channel's calendar feed link"),
      sub("help", "help", "List the commands, or explain one",
          json::array({option(string_option, "command",
                              "A command to explain, like join or tweetup move", false)})),
  });
  return {{"type", chat_input},
          {"name", name},
          {"description", "Plan tweetups and say whether you're going"},
          {"options", std::move(subcommands)}};
}

nlohmann::json slash_command::commands_payload() {
  return json::array({tweetup_command()});
}

bool slash_command::same_commands(const nlohmann::json& registered, const nlohmann::json& wanted) {
  if (!registered.is_array() || !wanted.is_array() || registered.size() != wanted.size()) {
    return false;
  }
  // Names are unique per type in a scope: each wanted command pairs with the one registered
  // command of its name and type, and with equal counts every command is paired.
  std::vector<bool> paired(registered.size(), false);
  for (const json& want : wanted) {
    if (!want.is_object()) return false;
    bool found = false;
    for (std::size_t i = 0; i < registered.size() && !found; ++i) {
      const json& have = registered[i];
      if (!have.is_object()) return false;
      if (paired[i] || command_type(have) != command_type(want) ||
          !same_value(have, want, "name")) {
        continue;
      }
      if (!same_command(have, want)) return false;
      paired[i] = true;
      found = true;
    }
    if (!found) return false;
  }
  return true;
}

}  // namespace tweetup
