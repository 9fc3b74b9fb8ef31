// The /tweetup slash command definition and the registered-definition check (protocols.md R9).
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <functional>
#include <regex>
#include <string>
#include <vector>

#include "adapters/discord/interaction.hpp"
#include "adapters/discord/slash_command.hpp"
#include "core/command_parser.hpp"
#include "core/command_spec.hpp"

namespace tweetup {
namespace {

using json = nlohmann::json;

const json& subcommand(const json& command, const std::string& name) {
  for (const auto& o : command.at("options")) {
    if (o.at("name") == name) return o;
  }
  static const json none;
  FAIL("no subcommand " << name);
  return none;
}

void check_option_rules(const json& options) {
  CHECK(options.size() <= slash_command::max_options);
  bool optional_seen = false;
  // R9's name pattern, for the ASCII names we use; lowercase only.
  const std::regex name_pattern("^[-_'a-z0-9]{1,32}$");
  for (const auto& o : options) {
    const std::string name = o.at("name");
    CAPTURE(name);
    CHECK(std::regex_match(name, name_pattern));
    const std::string description = o.at("description");
    CHECK(!description.empty());
    CHECK(description.size() <= slash_command::max_description);
    const bool required = o.contains("required") && o.at("required").get<bool>();
    if (o.at("type") != 1) {
      CHECK_FALSE((required && optional_seen));  // required options come first
      if (!required) optional_seen = true;
    }
    if (o.contains("options")) check_option_rules(o.at("options"));
  }
}

TEST_CASE("the command: CHAT_INPUT /tweetup with one subcommand per typed command") {
  const json c = slash_command::tweetup_command();
  CHECK(c.at("type") == 1);
  CHECK(c.at("name") == "tweetup");
  CHECK(c.at("description").get<std::string>().size() <= 100);
  std::vector<std::string> names;
  for (const auto& o : c.at("options")) {
    CHECK(o.at("type") == 1);
    names.push_back(o.at("name"));
  }
  CHECK(names == std::vector<std::string>{"create", "list", "join", "maybe", "leave", "info",
                                          "move", "place", "limit", "cancel", "tz", "reminders",
                                          "status", "calendar", "help"});
  check_option_rules(c.at("options"));
  CHECK(slash_command::commands_payload() == json::array({c}));
}

TEST_CASE("descriptions come from the command table") {
  const json c = slash_command::tweetup_command();
  const std::pair<const char*, const char*> pairs[] = {
      {"create", "tweetup"},
      {"list", "tweetups"},
      {"join", "join"},
      {"maybe", "maybe"},
      {"leave", "leave"},
      {"info", "tweetup info"},
      {"move", "tweetup move"},
      {"place", "tweetup place"},
      {"limit", "tweetup limit"},
      {"cancel", "tweetup cancel"},
      {"tz", "tweetup tz"},
      {"reminders", "tweetup reminders"},
      {"status", "tweetup status"},
      {"calendar", "tweetup calendar"},
      {"help", "help"},
  };
  for (const auto& [sub, spec_name] : pairs) {
    CAPTURE(sub);
    const command_spec* spec = find_command_spec(spec_name);
    REQUIRE(spec != nullptr);
    CHECK(subcommand(c, sub).at("description") == spec->summary);
  }
}

TEST_CASE("options: types, bounds and which are required") {
  const json c = slash_command::tweetup_command();
  const json expected_join = json::array({
      {{"type", 4},
       {"name", "id"},
       {"description", "The tweetup's number, as /tweetup list shows it"},
       {"required", true},
       {"min_value", 1}},
      {{"type", 4},
       {"name", "guests"},
       {"description", "People you bring along; they take seats too"},
       {"min_value", 0},
       {"max_value", max_guests}},
  });
  CHECK(subcommand(c, "join").at("options") == expected_join);
  const json& create = subcommand(c, "create").at("options");
  REQUIRE(create.size() == 2);
  CHECK(create[0].at("name") == "place");
  CHECK(create[1].at("name") == "when");
  for (const auto& o : create) {
    CHECK(o.at("type") == 3);
    CHECK(o.at("required") == true);
  }
  const json& seats = subcommand(c, "limit").at("options").at(1);
  CHECK(seats.at("name") == "seats");
  CHECK(seats.at("type") == 4);
  CHECK_FALSE(seats.contains("required"));
  CHECK(seats.at("min_value") == 1);
  const json& topic = subcommand(c, "help").at("options").at(0);
  CHECK(topic.at("name") == "command");
  CHECK_FALSE(topic.contains("required"));
  for (const char* bare : {"list", "status", "calendar"})
    CHECK_FALSE(subcommand(c, bare).contains("options"));
  for (const char* by_id : {"maybe", "leave", "info", "cancel"}) {
    CAPTURE(by_id);
    CHECK(subcommand(c, by_id).at("options") == json::array({expected_join[0]}));
  }
  CHECK(subcommand(c, "tz").at("options").at(0).at("name") == "zone");
  CHECK(subcommand(c, "reminders").at("options").at(0).at("name") == "offsets");
}

TEST_CASE("every subcommand, filled in, reaches the core as a command it reads") {
  const json c = slash_command::tweetup_command();
  for (const auto& s : c.at("options")) {
    const std::string name = s.at("name");
    CAPTURE(name);
    json used = {{"type", 1}, {"name", name}, {"options", json::array()}};
    if (s.contains("options")) {
      for (const auto& o : s.at("options")) {
        const json value =
            o.at("type") == 4 ? json(2) : json(o.at("name") == "offsets" ? "2h" : "x");
        used["options"].push_back(
            {{"name", o.at("name")}, {"type", o.at("type")}, {"value", value}});
      }
    }
    const json d = {{"id", "1"},
                    {"token", "t"},
                    {"type", 2},
                    {"channel_id", "3"},
                    {"user", {{"id", "4"}, {"username", "u"}}},
                    {"data", {{"name", "tweetup"}, {"type", 1}, {"options", json::array({used})}}}};
    const auto i = parse_interaction(d.dump(), "!");
    REQUIRE(i);
    CHECK(i->name == "tweetup " + name);
    REQUIRE_FALSE(i->text.empty());
    CHECK(parse_command(i->text, "!"));
  }
}

// What GET /applications/{app}/guilds/{guild}/commands returns for our definition: the same
// command with the fields the server adds.
json as_registered(json command) {
  command["id"] = "1500000000000000001";
  command["application_id"] = "1100000000000000002";
  command["guild_id"] = "1000000000000000003";
  command["version"] = "1500000000000000009";
  command["default_member_permissions"] = nullptr;
  command["dm_permission"] = true;
  command["nsfw"] = false;
  command["contexts"] = nullptr;
  command["integration_types"] = {0};
  command["name_localizations"] = nullptr;
  command["description_localizations"] = nullptr;
  std::function<void(json&)> decorate = [&](json& options) {
    for (auto& o : options) {
      o["name_localizations"] = nullptr;
      o["description_localizations"] = nullptr;
      if (o.at("type") != 1 && !o.contains("required")) o["required"] = false;
      if (o.contains("options")) decorate(o["options"]);
    }
  };
  decorate(command["options"]);
  return command;
}

TEST_CASE("same_commands: what the server adds is ignored") {
  const json wanted = slash_command::commands_payload();
  struct row {
    const char* what;
    std::function<void(json&)> change;
  };
  const std::vector<row> rows = {
      {"nothing", [](json&) {}},
      {"default_member_permissions set", [](json& c) { c["default_member_permissions"] = "32"; }},
      {"dm_permission false", [](json& c) { c["dm_permission"] = false; }},
      {"contexts",
       [](json& c) {
         c["contexts"] = {0, 1, 2};
       }},
      {"integration_types",
       [](json& c) {
         c["integration_types"] = {0, 1};
       }},
      {"nsfw", [](json& c) { c["nsfw"] = true; }},
      {"version", [](json& c) { c["version"] = "1"; }},
      {"localized names",
       [](json& c) {
         c["name_localizations"] = {{"de", "treffen"}};
         c["description_localized"] = "Plan tweetups";
         c["options"][0]["name_localized"] = "create";
         c["options"][0]["description_localized"] = "Plan";
       }},
      {"type left out", [](json& c) { c.erase("type"); }},
      {"required false written out or left out",
       [](json& c) { c["options"][2]["options"][1].erase("required"); }},
      {"empty options on a bare subcommand",
       [](json& c) { c["options"][1]["options"] = json::array(); }},
      {"empty choices", [](json& c) { c["options"][2]["options"][0]["choices"] = json::array(); }},
      {"min_value as a float", [](json& c) { c["options"][2]["options"][0]["min_value"] = 1.0; }},
      {"autocomplete false",
       [](json& c) { c["options"][2]["options"][0]["autocomplete"] = false; }},
  };
  for (const auto& r : rows) {
    CAPTURE(r.what);
    json registered = as_registered(wanted.at(0));
    r.change(registered);
    CHECK(slash_command::same_commands(json::array({registered}), wanted));
  }
}

TEST_CASE("same_commands: differences in the definition count") {
  const json wanted = slash_command::commands_payload();
  struct row {
    const char* what;
    std::function<void(json&)> change;
  };
  const std::vector<row> rows = {
      {"name", [](json& c) { c["name"] = "meetup"; }},
      {"type", [](json& c) { c["type"] = 2; }},
      {"description", [](json& c) { c["description"] = "Old words"; }},
      {"a subcommand missing", [](json& c) { c["options"].erase(c["options"].size() - 1); }},
      {"a subcommand more",
       [](json& c) {
         c["options"].push_back({{"type", 1}, {"name", "dance"}, {"description", "Dance"}});
       }},
      {"subcommands reordered", [](json& c) { std::swap(c["options"][0], c["options"][1]); }},
      {"subcommand description", [](json& c) { c["options"][0]["description"] = "Plan"; }},
      {"option name", [](json& c) { c["options"][2]["options"][0]["name"] = "number"; }},
      {"option type", [](json& c) { c["options"][2]["options"][0]["type"] = 3; }},
      {"option description", [](json& c) { c["options"][2]["options"][0]["description"] = "Id"; }},
      {"option no longer required",
       [](json& c) { c["options"][2]["options"][0]["required"] = false; }},
      {"option now required", [](json& c) { c["options"][2]["options"][1]["required"] = true; }},
      {"min_value", [](json& c) { c["options"][2]["options"][0]["min_value"] = 0; }},
      {"max_value gone", [](json& c) { c["options"][2]["options"][1].erase("max_value"); }},
      {"max_length added", [](json& c) { c["options"][0]["options"][0]["max_length"] = 100; }},
      {"choices added",
       [](json& c) {
         c["options"][2]["options"][1]["choices"] = {{{"name", "one"}, {"value", 1}}};
       }},
      {"autocomplete on", [](json& c) { c["options"][0]["options"][0]["autocomplete"] = true; }},
      {"options gone", [](json& c) { c["options"][2].erase("options"); }},
      {"options not an array", [](json& c) { c["options"][2]["options"] = "id"; }},
      {"a nested option more",
       [](json& c) {
         c["options"][1]["options"] = {{{"type", 3}, {"name", "when"}, {"description", "When"}}};
       }},
  };
  for (const auto& r : rows) {
    CAPTURE(r.what);
    json registered = as_registered(wanted.at(0));
    r.change(registered);
    CHECK_FALSE(slash_command::same_commands(json::array({registered}), wanted));
  }
}

TEST_CASE("same_commands: the command list") {
  const json ours = slash_command::tweetup_command();
  const json card = {{"type", 3}, {"name", "RSVP"}, {"description", ""}};
  const json wanted = json::array({ours, card});
  CHECK(slash_command::same_commands(json::array({as_registered(card), as_registered(ours)}),
                                     wanted));
  CHECK_FALSE(slash_command::same_commands(json::array({as_registered(ours)}), wanted));
  CHECK_FALSE(slash_command::same_commands(json::array({as_registered(ours), as_registered(ours)}),
                                           wanted));
  CHECK_FALSE(slash_command::same_commands(
      json::array({as_registered(ours), as_registered(card), as_registered(card)}), wanted));
  CHECK_FALSE(slash_command::same_commands(json::array(), slash_command::commands_payload()));
  CHECK(slash_command::same_commands(json::array(), json::array()));
  CHECK(slash_command::same_commands(slash_command::commands_payload(),
                                     slash_command::commands_payload()));
  for (const json& junk : {json(nullptr), json("[]"), json::object(), json::array({1}),
                           json::array({json::array()})}) {
    CAPTURE(junk.dump());
    CHECK_FALSE(slash_command::same_commands(junk, slash_command::commands_payload()));
  }
}

}  // namespace
}  // namespace tweetup
