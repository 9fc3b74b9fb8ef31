#include "adapters/discord/interaction.hpp"

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "adapters/discord/api_types.hpp"
#include "adapters/discord/event_embed.hpp"
#include "adapters/discord/guild_roles.hpp"
#include "core/command_parser.hpp"
#include "core/text_checks.hpp"

namespace tweetup {

namespace {

using json = nlohmann::json;

using namespace discord_api;

const json* member(const json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::optional<std::string> string_member(const json& object, std::string_view key) {
  const json* value = member(object, key);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return value->get<std::string>();
}

std::string string_or_empty(const json& object, std::string_view key) {
  return string_member(object, key).value_or(std::string{});
}

std::optional<std::int64_t> integer_member(const json& object, std::string_view key) {
  const json* value = member(object, key);
  if (value == nullptr || !value->is_number_integer()) return std::nullopt;
  if (value->is_number_unsigned()) {
    const auto u = value->get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return std::nullopt;
    }
    return static_cast<std::int64_t>(u);
  }
  return value->get<std::int64_t>();
}

// Byte length of the UTF-8 sequence at the start of `text` by its lead byte, or 1 for a byte
// that cannot start one (the core refuses such text with its own message).
std::size_t lead_size(std::string_view text) {
  const auto lead = static_cast<unsigned char>(text[0]);
  const std::size_t size = lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
  return size <= text.size() ? size : 1;
}

bool is_control(std::string_view cp) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(cp[i]); };
  if (cp.size() == 1) return byte(0) < 0x20 || byte(0) == 0x7F;
  if (cp.size() == 2) return byte(0) == 0xC2 && byte(1) >= 0x80 && byte(1) <= 0x9F;  // C1
  // U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR end a line for many readers.
  return cp == "\xE2\x80\xA8" || cp == "\xE2\x80\xA9";
}

// A line typed by hand never holds a line break: an option that does could smuggle a second
// line into anything that later echoes it, so every control character becomes a space.
std::string one_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const std::size_t size = lead_size(text);
    const std::string_view cp = text.substr(0, size);
    if (is_control(cp)) {
      out += ' ';
    } else {
      out += cp;
    }
    text.remove_prefix(size);
  }
  return std::string(trim(out));
}

// The value of the option called `name` among a subcommand's options, or null.
const json* option_value(const json& sub, std::string_view name) {
  const json* options = member(sub, "options");
  if (options == nullptr || !options->is_array()) return nullptr;
  for (const json& option : *options) {
    const auto option_name = string_member(option, "name");
    if (option_name && *option_name == name) return member(option, "value");
  }
  return nullptr;
}

std::string string_option(const json& sub, std::string_view name) {
  const json* value = option_value(sub, name);
  if (value == nullptr || !value->is_string()) return {};
  return one_line(value->get_ref<const std::string&>());
}

std::string integer_option(const json& sub, std::string_view name) {
  const json* value = option_value(sub, name);
  if (value == nullptr || !value->is_number_integer()) return {};
  return value->is_number_unsigned() ? std::to_string(value->get<std::uint64_t>())
                                     : std::to_string(value->get<std::int64_t>());
}

std::string line(std::string_view prefix, std::string_view head,
                 std::initializer_list<std::string_view> arguments) {
  std::string out = std::string(prefix) + std::string(head);
  for (const auto argument : arguments) {
    if (argument.empty()) continue;
    out += ' ';
    out += argument;
  }
  return out;
}

// The core reads `text` as the command we meant (type Command), or as that command's own error.
// A size or encoding error carries the first word as its name ("tweetup").
template <typename Command>
bool reads_as(const std::string& text, std::string_view prefix, std::string_view spec_name) {
  const auto parsed = parse_command(text, prefix);
  if (!parsed) return false;
  if (std::holds_alternative<Command>(*parsed)) return true;
  const auto* error = std::get_if<command_error>(&*parsed);
  if (error == nullptr) return false;
  const std::string_view top = spec_name.substr(0, spec_name.find(' '));
  return error->name == spec_name || error->name == top;
}

// The first candidate the core reads as meant; else the bare command, which it answers with
// the usage.
template <typename Command>
std::string first_meant(std::initializer_list<std::string> candidates, std::string_view prefix,
                        std::string_view spec_name) {
  for (const auto& text : candidates) {
    if (reads_as<Command>(text, prefix, spec_name)) return text;
  }
  return line(prefix, spec_name, {});
}

// `spec_name` for the event `id` with `arguments`. Without a usable id the bare command: the
// core then asks for the number, where the arguments would be taken for it ("limit 8").
template <typename Command>
std::string with_id(const json& sub, std::string_view prefix, std::string_view spec_name,
                    std::initializer_list<std::string_view> arguments = {}) {
  const std::string id = integer_option(sub, "id");
  if (id.empty()) return line(prefix, spec_name, {});
  std::string text = line(prefix, spec_name, {id});
  for (const auto argument : arguments) {
    if (argument.empty()) continue;
    text += ' ';
    text += argument;
  }
  return first_meant<Command>({text}, prefix, spec_name);
}

// The /tweetup subcommand `name` with its options, as a typed line; empty for a subcommand we
// do not have.
std::string tweetup_line(const std::string& name, const json& sub, std::string_view prefix) {
  if (name == "create") {
    const std::string place = string_option(sub, "place");
    const std::string when = string_option(sub, "when");
    // The parser takes "<place> <time>" in either order, but reads a first word such as "info"
    // or "tz" as a subcommand; the other order avoids that.
    return first_meant<create_command>(
        {line(prefix, "tweetup", {place, when}), line(prefix, "tweetup", {when, place})}, prefix,
        "tweetup");
  }
  if (name == "list") return line(prefix, "tweetups", {});
  if (name == "join") {
    const std::string guests = integer_option(sub, "guests");
    return with_id<join_command>(sub, prefix, "join", {guests.empty() ? guests : "+" + guests});
  }
  if (name == "maybe") return with_id<maybe_command>(sub, prefix, "maybe");
  if (name == "leave") return with_id<leave_command>(sub, prefix, "leave");
  if (name == "info") return with_id<info_command>(sub, prefix, "tweetup info");
  if (name == "cancel") return with_id<cancel_command>(sub, prefix, "tweetup cancel");
  if (name == "move") {
    return with_id<move_command>(sub, prefix, "tweetup move", {string_option(sub, "when")});
  }
  if (name == "place") {
    return with_id<place_command>(sub, prefix, "tweetup place", {string_option(sub, "place")});
  }
  if (name == "limit") {
    const std::string seats = integer_option(sub, "seats");
    return with_id<limit_command>(sub, prefix, "tweetup limit", {seats.empty() ? "none" : seats});
  }
  if (name == "tz") {
    // IANA names have no spaces ("America/New_York"); a zone typed with them still means one
    // word, and the parser reads "tz" followed by two words as a place.
    std::string zone;
    bool gap = false;
    for (const char c : string_option(sub, "zone")) {
      if (c == ' ') {
        gap = true;
        continue;
      }
      if (gap) zone += '_';
      gap = false;
      zone += c;
    }
    return first_meant<tz_command>({line(prefix, "tweetup tz", {zone})}, prefix, "tweetup tz");
  }
  if (name == "reminders") {
    return first_meant<reminders_command>(
        {line(prefix, "tweetup reminders", {string_option(sub, "offsets")})}, prefix,
        "tweetup reminders");
  }
  if (name == "status") return line(prefix, "tweetup status", {});
  if (name == "calendar") return line(prefix, "tweetup calendar", {});
  if (name == "help") {
    std::string topic = string_option(sub, "command");
    if (!topic.empty() && topic.front() == '/') topic = std::string(trim(topic.substr(1)));
    return line(prefix, "help", {topic});
  }
  return {};
}

void read_command(const json& data, std::string_view prefix, interaction& out) {
  out.name = "command other";
  const auto name = string_member(data, "name");
  const json* type = member(data, "type");
  const bool chat = type == nullptr || (type->is_number_integer() && *type == chat_input);
  if (!name || *name != "tweetup" || !chat) return;
  out.name = "tweetup other";
  // A CHAT_INPUT command with subcommands always arrives with exactly one: the one used.
  const json* options = member(data, "options");
  if (options == nullptr || !options->is_array() || options->size() != 1) return;
  const json& sub = options->front();
  const auto sub_name = string_member(sub, "name");
  if (!sub_name || integer_member(sub, "type") != sub_command) return;
  std::string text = tweetup_line(*sub_name, sub, prefix);
  if (text.empty()) return;
  out.name = "tweetup " + *sub_name;
  out.text = std::move(text);
}

void read_button(const json& data, std::string_view prefix, interaction& out) {
  out.name = "button other";
  out.custom_id = string_or_empty(data, "custom_id");
  const auto button = event_embed::parse_custom_id(out.custom_id);
  if (!button) return;
  const std::string number = std::to_string(button->number);
  switch (button->said) {
    case event_embed::answer::yes:
      out.name = "button yes";
      out.text = line(prefix, "join", {number});
      break;
    case event_embed::answer::maybe:
      out.name = "button maybe";
      out.text = line(prefix, "maybe", {number});
      break;
    case event_embed::answer::no:
      out.name = "button no";
      out.text = line(prefix, "leave", {number});
      break;
  }
}

}  // namespace

std::optional<interaction> parse_interaction(std::string_view raw_json, std::string_view prefix) {
  const json d = json::parse(raw_json, nullptr, false);
  if (!d.is_object()) return std::nullopt;
  auto id = string_member(d, "id");
  auto token = string_member(d, "token");
  const auto type = integer_member(d, "type");
  if (!id || !token || !type) return std::nullopt;

  interaction out;
  out.id = std::move(*id);
  out.token = std::move(*token);
  out.kind = *type == application_command ? interaction::type::command
             : *type == message_component ? interaction::type::button
                                          : interaction::type::other;
  out.name = "other";
  out.application_id = string_or_empty(d, "application_id");
  out.guild_id = string_or_empty(d, "guild_id");
  out.channel_id = string_or_empty(d, "channel_id");
  if (const json* channel = member(d, "channel"); out.channel_id.empty() && channel != nullptr) {
    out.channel_id = string_or_empty(*channel, "id");
  }

  // DDOCS §Interaction Object: `member` (with its `user`) in a guild, `user` in a DM.
  const json* m = member(d, "member");
  const json* user = m != nullptr ? member(*m, "user") : member(d, "user");
  if (user != nullptr && user->is_object()) {
    out.user.id = string_or_empty(*user, "id");
    // global_name is a ?string: null for users who never set a display name.
    out.user.name = string_or_empty(*user, "global_name");
    if (out.user.name.empty()) out.user.name = string_or_empty(*user, "username");
  }
  if (m != nullptr) {
    if (const auto bits = string_member(*m, "permissions")) {
      out.permissions = guild_roles::parse_permissions(*bits);
    }
  }

  if (out.kind == interaction::type::other) return out;
  if (out.user.id.empty()) return std::nullopt;
  const json* data = member(d, "data");
  const json empty = json::object();
  if (data == nullptr || !data->is_object()) data = &empty;
  if (out.kind == interaction::type::command) {
    read_command(*data, prefix, out);
  } else {
    if (const json* message = member(d, "message"); message != nullptr) {
      out.message_id = string_or_empty(*message, "id");
    }
    read_button(*data, prefix, out);
  }
  return out;
}

}  // namespace tweetup
