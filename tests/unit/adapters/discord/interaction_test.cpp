// INTERACTION_CREATE as the typed command it stands for (protocols.md R8, R3).
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "adapters/discord/discord_text.hpp"
#include "adapters/discord/interaction.hpp"
#include "core/command_parser.hpp"

namespace tweetup {
namespace {

using json = nlohmann::json;

json opt(const std::string& name, json value, int type) {
  return {{"name", name}, {"type", type}, {"value", std::move(value)}};
}
json str(const std::string& name, const std::string& value) {
  return opt(name, value, 3);
}
json num(const std::string& name, json value) {
  return opt(name, std::move(value), 4);
}
json sub_raw(const std::string& name, json options) {
  return {{"type", 1}, {"name", name}, {"options", std::move(options)}};
}
json sub(const std::string& name, const std::vector<json>& options = {}) {
  if (options.empty()) return {{"type", 1}, {"name", name}};
  return sub_raw(name, options);
}

json guild_interaction(int type, json data) {
  return {{"id", "1400000000000000001"},
          {"application_id", "1100000000000000002"},
          {"type", type},
          {"token", "aW50ZXJhY3Rpb24"},
          {"version", 1},
          {"guild_id", "1000000000000000003"},
          {"channel_id", "1200000000000000004"},
          {"member",
           {{"user",
             {{"id", "1300000000000000005"}, {"username", "alice"}, {"global_name", "Alice A"}}},
            {"roles", json::array()},
            {"permissions", "8589934624"}}},
          {"data", std::move(data)}};
}

json slash(json subcommand) {
  return guild_interaction(2, {{"id", "1500000000000000006"},
                               {"name", "tweetup"},
                               {"type", 1},
                               {"options", json::array({std::move(subcommand)})}});
}

json tap(const std::string& custom_id) {
  json d = guild_interaction(3, {{"custom_id", custom_id}, {"component_type", 2}});
  d["message"] = {{"id", "1600000000000000007"}, {"channel_id", "1200000000000000004"}};
  return d;
}

interaction parse_ok(const json& d, std::string_view prefix = "!") {
  const auto parsed = parse_interaction(d.dump(), prefix);
  REQUIRE(parsed);
  return *parsed;
}

template <typename T>
std::size_t kind_of() {
  return command{T{}}.index();
}

TEST_CASE("an interaction's id tells when Discord made it") {
  using std::chrono::milliseconds;
  using std::chrono::system_clock;
  // DDOCS reference.mdx §Snowflakes: 175928847299117063 was made at 1462015105796 ms.
  CHECK(discord_text::snowflake_time("175928847299117063") ==
        system_clock::time_point{milliseconds{1462015105796}});
  CHECK(discord_text::snowflake_time("0") == system_clock::time_point{milliseconds{1420070400000}});
  // The largest 64-bit snowflake, and one past it.
  CHECK(discord_text::snowflake_time("18446744073709551615").has_value());
  CHECK_FALSE(discord_text::snowflake_time("18446744073709551616").has_value());
  for (const char* bad : {"", "-1", "12a", " 1", "123456789012345678901"}) {
    CAPTURE(bad);
    CHECK_FALSE(discord_text::snowflake_time(bad).has_value());
  }
}

TEST_CASE("a slash command in a guild: every field") {
  const interaction i = parse_ok(slash(sub("join", {num("id", 2), num("guests", 2)})));
  CHECK(i.kind == interaction::type::command);
  CHECK(i.id == "1400000000000000001");
  CHECK(i.token == "aW50ZXJhY3Rpb24");
  CHECK(i.application_id == "1100000000000000002");
  CHECK(i.guild_id == "1000000000000000003");
  CHECK(i.channel_id == "1200000000000000004");
  CHECK(i.user.id == "1300000000000000005");
  CHECK(i.user.name == "Alice A");
  REQUIRE(i.permissions);
  CHECK(*i.permissions == 8589934624ull);  // MANAGE_EVENTS | MANAGE_GUILD: past 32 bits
  CHECK(i.message_id.empty());
  CHECK(i.custom_id.empty());
  CHECK(i.text == "!join 2 +2");
  CHECK(i.name == "tweetup join");
}

TEST_CASE("every /tweetup subcommand as the typed line the core reads as meant") {
  struct row {
    json subcommand;
    const char* text;
    const char* name;
    std::size_t kind;
  };
  const std::vector<row> rows = {
      {sub("create", {str("place", "Starbucks Alabaster"), str("when", "3pm")}),
       "!tweetup Starbucks Alabaster 3pm", "tweetup create", kind_of<create_command>()},
      {sub("create", {str("place", "Cancel Culture Cafe"), str("when", "3pm")}),
       "!tweetup Cancel Culture Cafe 3pm", "tweetup create", kind_of<create_command>()},
      // A place whose first words read as a subcommand goes after the time.
      {sub("create", {str("place", "info 3"), str("when", "5pm")}), "!tweetup 5pm info 3",
       "tweetup create", kind_of<create_command>()},
      {sub("create", {str("place", "TZ"), str("when", "5pm")}), "!tweetup 5pm TZ", "tweetup create",
       kind_of<create_command>()},
      {sub("create", {str("place", "limit 4"), str("when", "8")}), "!tweetup 8 limit 4",
       "tweetup create", kind_of<create_command>()},
      {sub("list"), "!tweetups", "tweetup list", kind_of<list_command>()},
      {sub("join", {num("id", 1)}), "!join 1", "tweetup join", kind_of<join_command>()},
      {sub("join", {num("id", 2), num("guests", 2)}), "!join 2 +2", "tweetup join",
       kind_of<join_command>()},
      {sub("join", {num("id", 2), num("guests", 0)}), "!join 2 +0", "tweetup join",
       kind_of<join_command>()},
      {sub("maybe", {num("id", 3)}), "!maybe 3", "tweetup maybe", kind_of<maybe_command>()},
      {sub("leave", {num("id", 2)}), "!leave 2", "tweetup leave", kind_of<leave_command>()},
      {sub("info", {num("id", 1)}), "!tweetup info 1", "tweetup info", kind_of<info_command>()},
      {sub("move", {num("id", 1), str("when", "tomorrow 4pm")}), "!tweetup move 1 tomorrow 4pm",
       "tweetup move", kind_of<move_command>()},
      {sub("place", {num("id", 1), str("place", "Starbucks on Main St")}),
       "!tweetup place 1 Starbucks on Main St", "tweetup place", kind_of<place_command>()},
      {sub("limit", {num("id", 1), num("seats", 8)}), "!tweetup limit 1 8", "tweetup limit",
       kind_of<limit_command>()},
      {sub("limit", {num("id", 1)}), "!tweetup limit 1 none", "tweetup limit",
       kind_of<limit_command>()},
      {sub("cancel", {num("id", 3)}), "!tweetup cancel 3", "tweetup cancel",
       kind_of<cancel_command>()},
      {sub("tz", {str("zone", "America/Chicago")}), "!tweetup tz America/Chicago", "tweetup tz",
       kind_of<tz_command>()},
      {sub("tz", {str("zone", " America/New   York ")}), "!tweetup tz America/New_York",
       "tweetup tz", kind_of<tz_command>()},
      {sub("reminders", {str("offsets", "2h 10m")}), "!tweetup reminders 2h 10m",
       "tweetup reminders", kind_of<reminders_command>()},
      {sub("reminders", {str("offsets", "off")}), "!tweetup reminders off", "tweetup reminders",
       kind_of<reminders_command>()},
      {sub("reminders", {str("offsets", "default")}), "!tweetup reminders default",
       "tweetup reminders", kind_of<reminders_command>()},
      {sub("status"), "!tweetup status", "tweetup status", kind_of<status_command>()},
      {sub("calendar"), "!tweetup calendar", "tweetup calendar", kind_of<calendar_command>()},
      {sub("help"), "!help", "tweetup help", kind_of<help_command>()},
      {sub("help", {str("command", "join")}), "!help join", "tweetup help",
       kind_of<help_command>()},
      {sub("help", {str("command", "/tweetup move")}), "!help tweetup move", "tweetup help",
       kind_of<help_command>()},
  };
  for (const auto& r : rows) {
    CAPTURE(r.text);
    const interaction i = parse_ok(slash(r.subcommand));
    CHECK(i.text == r.text);
    CHECK(i.name == r.name);
    const auto parsed = parse_command(i.text, "!");
    REQUIRE(parsed);
    CHECK(parsed->index() == r.kind);
  }
}

TEST_CASE("the prefix is the configured one") {
  CHECK(parse_ok(slash(sub("list")), "?").text == "?tweetups");
  CHECK(parse_ok(slash(sub("info", {num("id", 4)})), "tb ").text == "tb tweetup info 4");
  CHECK(parse_ok(tap("rsvp:yes:4"), "tb ").text == "tb join 4");
}

TEST_CASE("odd or missing options give the bare command, which the core answers with usage") {
  struct row {
    json subcommand;
    const char* text;
  };
  const std::vector<row> rows = {
      // Without the id, "move tomorrow 4pm" would create a tweetup called "move".
      {sub("move", {str("when", "tomorrow 4pm")}), "!tweetup move"},
      {sub("move", {str("id", "3"), str("when", "tomorrow 4pm")}), "!tweetup move"},
      {sub("place", {str("place", "Blue Bottle")}), "!tweetup place"},
      {sub("limit", {num("seats", 8)}), "!tweetup limit"},
      {sub("info", {num("id", -3)}), "!tweetup info"},
      {sub("info", {num("id", 1.5)}), "!tweetup info"},
      {sub("info", {num("id", 1e30)}), "!tweetup info"},
      {sub("info", {num("id", true)}), "!tweetup info"},
      {sub("info", {num("id", nullptr)}), "!tweetup info"},
      {sub("info"), "!tweetup info"},
      {sub("cancel", {num("id", json::object())}), "!tweetup cancel"},
      {sub("reminders", {str("offsets", "lol 2h")}), "!tweetup reminders"},
      {sub("reminders", {str("offsets", " \n ")}), "!tweetup reminders"},
      {sub("reminders"), "!tweetup reminders"},
      {sub("tz"), "!tweetup tz"},
      {sub("create"), "!tweetup"},
      // Both orders read as "tz": the core asks for place and time again.
      {sub("create", {str("place", "tz"), str("when", "tz")}), "!tweetup"},
      {sub("join"), "!join"},
      {sub("join", {num("guests", 2)}), "!join"},
      // Numbers the core refuses itself, with its own message: passed on as they are.
      {sub("info", {num("id", 0)}), "!tweetup info 0"},
      {sub("info", {num("id", 99999999999ll)}), "!tweetup info 99999999999"},
      {sub("info", {num("id", 18446744073709551615ull)}), "!tweetup info 18446744073709551615"},
      {sub("join", {num("id", 2), num("guests", 99)}), "!join 2 +99"},
      {sub("join", {num("id", 2), num("guests", -1)}), "!join 2 +-1"},
      {sub("limit", {num("id", 1), num("seats", 0)}), "!tweetup limit 1 0"},
      // Options a subcommand does not have are ignored; so is a non-object in the list.
      {sub("status", {str("zone", "UTC")}), "!tweetup status"},
      {sub_raw("maybe", json::array({"junk", 7, num("id", 3)})), "!maybe 3"},
  };
  for (const auto& r : rows) {
    CAPTURE(r.subcommand.dump());
    const interaction i = parse_ok(slash(r.subcommand));
    CHECK(i.text == r.text);
    const auto parsed = parse_command(i.text, "!");
    REQUIRE(parsed);
  }
}

TEST_CASE("line breaks and control characters in options become spaces") {
  const interaction i = parse_ok(slash(sub("create", {str("place",
                                                          "\tBlue\r\nBottle\xE2\x80\xA8"
                                                          "Coffee\xC2\x85!\x1B[2J\x7F"),
                                                      str("when", std::string("fri\n6pm\0", 8))})));
  CHECK(i.text == "!tweetup Blue  Bottle Coffee ! [2J fri 6pm");
  CHECK(i.text.find_first_of("\r\n\t\x1B\x7F") == std::string::npos);

  const interaction moved =
      parse_ok(slash(sub("move", {num("id", 2), str("when", "tomorrow\n!tweetup cancel 2")})));
  CHECK(moved.text == "!tweetup move 2 tomorrow !tweetup cancel 2");
}

TEST_CASE("a huge option is passed on whole and the core refuses it as too long") {
  const std::string huge(100000, 'x');
  const interaction i = parse_ok(slash(sub("create", {str("place", huge), str("when", "3pm")})));
  CHECK(i.text == "!tweetup " + huge + " 3pm");
  CHECK(i.name == "tweetup create");
  const auto parsed = parse_command(i.text, "!");
  REQUIRE(parsed);
  CHECK(std::holds_alternative<command_error>(*parsed));
}

TEST_CASE("commands that are not ours have no text") {
  struct row {
    json d;
    const char* name;
  };
  json other_name = slash(sub("list"));
  other_name["data"]["name"] = "poll";
  json user_command = slash(sub("list"));
  user_command["data"]["type"] = 2;
  json no_type = slash(sub("list"));  // CHAT_INPUT is the default type
  no_type["data"].erase("type");
  json group = slash(sub("list"));
  group["data"]["options"][0]["type"] = 2;
  json two = slash(sub("list"));
  two["data"]["options"].push_back(sub("status"));
  json no_options = slash(sub("list"));
  no_options["data"].erase("options");
  json options_object = slash(sub("list"));
  options_object["data"]["options"] = {{"name", "list"}};
  json no_data = slash(sub("list"));
  no_data.erase("data");
  json data_string = slash(sub("list"));
  data_string["data"] = "tweetup list";
  json sub_name_number = slash(sub("list"));
  sub_name_number["data"]["options"][0]["name"] = 5;

  const std::vector<row> rows = {
      {slash(sub("dance")), "tweetup other"},
      {slash(sub("CREATE")), "tweetup other"},
      {slash(sub(std::string(5000, 'a'))), "tweetup other"},
      {other_name, "command other"},
      {user_command, "command other"},
      {group, "tweetup other"},
      {two, "tweetup other"},
      {no_options, "tweetup other"},
      {options_object, "tweetup other"},
      {no_data, "command other"},
      {data_string, "command other"},
      {sub_name_number, "tweetup other"},
  };
  for (const auto& r : rows) {
    CAPTURE(r.d.dump().substr(0, 300));
    const interaction i = parse_ok(r.d);
    CHECK(i.kind == interaction::type::command);
    CHECK(i.text.empty());
    CHECK(i.name == r.name);
  }
  CHECK(parse_ok(no_type).text == "!tweetups");
}

TEST_CASE("RSVP buttons") {
  struct row {
    const char* custom_id;
    const char* text;
    const char* name;
  };
  const row rows[] = {
      {"rsvp:yes:2", "!join 2", "button yes"},
      {"rsvp:maybe:3", "!maybe 3", "button maybe"},
      {"rsvp:no:12", "!leave 12", "button no"},
      {"rsvp:yes:999999999", "!join 999999999", "button yes"},
      {"rsvp:yes:abc", "", "button other"},
      {"rsvp:yes:1234567890", "", "button other"},
      {"rsvp:yes:99999999999999999999999999", "", "button other"},
      {"rsvp:yes:-1", "", "button other"},
      {"rsvp:yes:2 ", "", "button other"},
      {"rsvp:go:2", "", "button other"},
      {"poll:1", "", "button other"},
      {"", "", "button other"},
  };
  for (const auto& r : rows) {
    CAPTURE(r.custom_id);
    const interaction i = parse_ok(tap(r.custom_id));
    CHECK(i.kind == interaction::type::button);
    CHECK(i.custom_id == r.custom_id);
    CHECK(i.message_id == "1600000000000000007");
    CHECK(i.text == r.text);
    CHECK(i.name == r.name);
  }
  json no_custom_id = tap("rsvp:yes:2");
  no_custom_id["data"].erase("custom_id");
  CHECK(parse_ok(no_custom_id).text.empty());
  json custom_id_number = tap("rsvp:yes:2");
  custom_id_number["data"]["custom_id"] = 2;
  CHECK(parse_ok(custom_id_number).text.empty());
  json no_message = tap("rsvp:yes:2");
  no_message.erase("message");
  CHECK(parse_ok(no_message).message_id.empty());
  CHECK(parse_ok(no_message).text == "!join 2");
}

TEST_CASE("a DM: the user at the top level, no guild, no permissions") {
  json d = slash(sub("list"));
  d.erase("member");
  d.erase("guild_id");
  d["user"] = {{"id", "1300000000000000009"}, {"username", "bob"}, {"global_name", nullptr}};
  const interaction i = parse_ok(d);
  CHECK(i.guild_id.empty());
  CHECK(i.user.id == "1300000000000000009");
  CHECK(i.user.name == "bob");
  CHECK_FALSE(i.permissions);
  CHECK(i.text == "!tweetups");
}

TEST_CASE("user names and permissions") {
  json d = slash(sub("list"));
  d["member"]["user"]["global_name"] = "";
  CHECK(parse_ok(d).user.name == "alice");
  d["member"]["user"].erase("global_name");
  CHECK(parse_ok(d).user.name == "alice");

  struct row {
    json bits;
    std::optional<std::uint64_t> value;
  };
  const std::vector<row> rows = {
      {"0", 0},
      {"8", 8},
      {"18446744073709551615", 18446744073709551615ull},
      {"18446744073709551616", std::nullopt},
      {"-8", std::nullopt},
      {"8a", std::nullopt},
      {"", std::nullopt},
      {8, std::nullopt},
      {nullptr, std::nullopt},
  };
  for (const auto& r : rows) {
    CAPTURE(r.bits.dump());
    json p = slash(sub("list"));
    p["member"]["permissions"] = r.bits;
    CHECK(parse_ok(p).permissions == r.value);
  }
  json absent = slash(sub("list"));
  absent["member"].erase("permissions");
  CHECK_FALSE(parse_ok(absent).permissions);
}

TEST_CASE("the channel id may come as channel.id") {
  json d = slash(sub("list"));
  d.erase("channel_id");
  d["channel"] = {{"id", "1200000000000000008"}, {"type", 0}};
  CHECK(parse_ok(d).channel_id == "1200000000000000008");
  d.erase("channel");
  CHECK(parse_ok(d).channel_id.empty());
}

TEST_CASE("other interaction types are returned without text") {
  const json ping = {{"id", "1"}, {"token", "t"}, {"type", 1}, {"application_id", "2"}};
  const interaction p = parse_ok(ping);
  CHECK(p.kind == interaction::type::other);
  CHECK(p.text.empty());
  CHECK(p.name == "other");

  json autocomplete = slash(sub("list"));
  autocomplete["type"] = 4;
  const interaction a = parse_ok(autocomplete);
  CHECK(a.kind == interaction::type::other);
  CHECK(a.text.empty());
  json modal = tap("rsvp:yes:2");
  modal["type"] = 5;
  CHECK(parse_ok(modal).text.empty());
}

TEST_CASE("malformed interactions are refused") {
  const auto with = [](const std::function<void(json&)>& change) {
    json d = slash(sub("list"));
    change(d);
    return d.dump();
  };
  const std::vector<std::string> bad = {
      "",
      "not json",
      "{\"id\":\"1\",\"token\":\"t\",\"type\":2",
      "[]",
      "null",
      "\"text\"",
      "{}",
      with([](json& d) { d.erase("id"); }),
      with([](json& d) { d["id"] = 1400000000000000001ull; }),
      with([](json& d) { d.erase("token"); }),
      with([](json& d) { d["token"] = nullptr; }),
      with([](json& d) { d.erase("type"); }),
      with([](json& d) { d["type"] = "2"; }),
      with([](json& d) { d["type"] = 2.0; }),
      with([](json& d) { d["type"] = 18446744073709551615ull; }),
      with([](json& d) { d.erase("member"); }),
      with([](json& d) { d["member"]["user"] = "alice"; }),
      with([](json& d) { d["member"]["user"].erase("id"); }),
      with([](json& d) { d["member"]["user"]["id"] = 1300000000000000005ull; }),
      with([](json& d) { d["member"] = json::array(); }),
  };
  for (const auto& raw : bad) {
    CAPTURE(raw.substr(0, 200));
    CHECK_FALSE(parse_interaction(raw, "!"));
  }
  json tap_without_user = tap("rsvp:yes:2");
  tap_without_user.erase("member");
  CHECK_FALSE(parse_interaction(tap_without_user.dump(), "!"));
}

TEST_CASE("deep nesting and invalid UTF-8 do not throw") {
  const std::string deep = std::string(20000, '[') + std::string(20000, ']');
  json d = slash(sub("list"));
  std::string raw = d.dump();
  raw.insert(raw.size() - 1, ",\"extra\":" + deep);
  const auto parsed = parse_interaction(raw, "!");
  REQUIRE(parsed);
  CHECK(parsed->text == "!tweetups");
  CHECK_FALSE(parse_interaction("{\"id\":\"1\",\"token\":\"\xFF\",\"type\":1}", "!"));
}

}  // namespace
}  // namespace tweetup
