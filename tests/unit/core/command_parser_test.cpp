#include "core/command_parser.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace tweetup;

namespace {

command parse(std::string_view text) {
  const auto parsed = parse_command(text, "!");
  REQUIRE(parsed.has_value());
  return *parsed;
}

template <typename T>
T parse_as(std::string_view text) {
  const command c = parse(text);
  const T* value = std::get_if<T>(&c);
  if (!value) {
    const auto* error = std::get_if<command_error>(&c);
    FAIL_CHECK("unexpected command for [" << std::string(text)
                                          << "]: " << (error ? error->message : std::string("?")));
    return T{};
  }
  return *value;
}

command_error error_of(std::string_view text) {
  const command c = parse(text);
  const auto* error = std::get_if<command_error>(&c);
  if (!error) {
    FAIL_CHECK("expected a command_error for [" << std::string(text) << "]");
    return {};
  }
  return *error;
}

}  // namespace

TEST_CASE("command_parser: create") {
  CHECK(parse_as<create_command>("!tweetup Starbucks Alabaster 3pm").arguments ==
        "Starbucks Alabaster 3pm");
  CHECK(parse_as<create_command>("  !tweetup   tomorrow 7:30pm  Mon Ami Gabi  ").arguments ==
        "tomorrow 7:30pm  Mon Ami Gabi");
  // Subcommand words followed by something that is not an id are places.
  CHECK(parse_as<create_command>("!tweetup Cancel Culture Cafe 3pm").arguments ==
        "Cancel Culture Cafe 3pm");
  CHECK(parse_as<create_command>("!tweetup move on cafe 5pm").arguments == "move on cafe 5pm");
  CHECK(parse_as<create_command>("!tweetup Info Desk 3pm").arguments == "Info Desk 3pm");
  CHECK(parse_as<create_command>("!tweetup Place Bar at 7").arguments == "Place Bar at 7");
  CHECK(parse_as<create_command>("!tweetup limit break 7pm").arguments == "limit break 7pm");

  const auto empty = error_of("!tweetup");
  CHECK(empty.name == "tweetup");
  CHECK(empty.message.find("Example: !tweetup") != std::string::npos);
}

TEST_CASE("command_parser: list and help") {
  CHECK(std::holds_alternative<list_command>(parse("!tweetups")));
  CHECK(std::holds_alternative<list_command>(parse("!tweetup list")));
  CHECK(std::holds_alternative<list_command>(parse("!tweetup ls")));
  CHECK(parse_as<help_command>("!help").topic.empty());
  CHECK(parse_as<help_command>("!help join").topic == "join");
  CHECK(parse_as<help_command>("!help !JOIN").topic == "join");
  CHECK(parse_as<help_command>("!help tweetup move").topic == "tweetup move");
  CHECK(parse_as<help_command>("!tweetup help").topic.empty());
}

TEST_CASE("command_parser: join with and without guests") {
  auto j = parse_as<join_command>("!join 3");
  CHECK(j.number == 3);
  CHECK(j.guests == 0);
  j = parse_as<join_command>("!join #3 +2");
  CHECK(j.number == 3);
  CHECK(j.guests == 2);
  CHECK(parse_as<join_command>("!join 12 +0").guests == 0);
  CHECK(parse_as<join_command>("!join 1 +20").guests == 20);

  for (const char* bad : {"!join 3 -1", "!join 3 +21", "!join 3 +", "!join 3 2", "!join 3 +1000",
                          "!join 3 +x", "!join 3 ++1"}) {
    CAPTURE(bad);
    const auto e = error_of(bad);
    CHECK(e.name == "join");
    CHECK(e.message == "Guests are written +N, from +0 to +20. Example: !join 3 +2");
  }
  CHECK(error_of("!join 3 +1 extra").message ==
        "That's more than I understand. Example: !join 3 +2");
}

TEST_CASE("command_parser: missing and bad ids") {
  const auto missing = error_of("!join");
  CHECK(missing.name == "join");
  CHECK(missing.message == "Which tweetup? Give its number. Example: !join 3 +1");

  for (const char* bad : {"!join abc", "!join 0", "!join -3", "!join 3.5", "!join #",
                          "!join 1234567890", "!join ##3"}) {
    CAPTURE(bad);
    CHECK(error_of(bad).message ==
          "A tweetup number is a whole number like 3 (see !tweetups). Example: !join 3 +1");
  }
  CHECK(parse_as<maybe_command>("!maybe #7").number == 7);
  CHECK(parse_as<leave_command>("!leave 2").number == 2);
  CHECK(error_of("!maybe").name == "maybe");
  CHECK(error_of("!leave x").name == "leave");
  CHECK(error_of("!leave 2 3").message == "That's more than I understand. Example: !leave 3");
  CHECK(parse_as<info_command>("!tweetup info 4").number == 4);
  CHECK(parse_as<cancel_command>("!tweetup cancel #5").number == 5);
  const auto cancel_missing = error_of("!tweetup cancel");
  CHECK(cancel_missing.name == "tweetup cancel");
  CHECK(cancel_missing.message == "Which tweetup? Give its number. Example: !tweetup cancel 3");
  CHECK(error_of("!tweetup info").name == "tweetup info");
}

TEST_CASE("command_parser: move and place") {
  const auto m = parse_as<move_command>("!tweetup move 1 tomorrow 4pm");
  CHECK(m.number == 1);
  CHECK(m.when == "tomorrow 4pm");
  const auto no_time = error_of("!tweetup move 1");
  CHECK(no_time.name == "tweetup move");
  CHECK(no_time.message == "Say the new time. Example: !tweetup move 3 tomorrow 4pm");
  CHECK(error_of("!tweetup move").message ==
        "Which tweetup? Give its number. Example: !tweetup move 3 tomorrow 4pm");

  const auto p = parse_as<place_command>("!tweetup place #1 Starbucks on Main St ");
  CHECK(p.number == 1);
  CHECK(p.place == "Starbucks on Main St");
  CHECK(error_of("!tweetup place 1").message ==
        "Say the new place. Example: !tweetup place 3 Blue Bottle Coffee");
}

TEST_CASE("command_parser: limit") {
  const auto eight = parse_as<limit_command>("!tweetup limit 1 8");
  CHECK(eight.number == 1);
  CHECK(eight.capacity == 8);
  for (const char* none : {"!tweetup limit 1 none", "!tweetup limit 1 NONE", "!tweetup limit 1 off",
                           "!tweetup limit 1 unlimited"}) {
    CAPTURE(none);
    CHECK_FALSE(parse_as<limit_command>(none).capacity.has_value());
  }
  for (const char* bad : {"!tweetup limit 1 0", "!tweetup limit 1 -2", "!tweetup limit 1 eight",
                          "!tweetup limit 1 100001", "!tweetup limit 1 3.5"}) {
    CAPTURE(bad);
    const auto e = error_of(bad);
    CHECK(e.name == "tweetup limit");
    CHECK(e.message ==
          "A limit is a number of seats, at least 1 (or none). Example: !tweetup limit 3 8");
  }
  CHECK(parse_as<limit_command>("!tweetup limit 1 100000").capacity == 100000);
  CHECK(error_of("!tweetup limit 1").message ==
        "Give the number of seats, or none. Example: !tweetup limit 3 8");
  CHECK(error_of("!tweetup limit 1 8 9").message ==
        "Give the number of seats, or none. Example: !tweetup limit 3 8");
}

TEST_CASE("command_parser: tz") {
  CHECK(parse_as<tz_command>("!tweetup tz Europe/Berlin").zone == "Europe/Berlin");
  CHECK(parse_as<tz_command>("!tweetup timezone america/chicago").zone == "america/chicago");
  CHECK(error_of("!tweetup tz").message ==
        "Give one IANA time zone name. Example: !tweetup tz Europe/Berlin");
  // tz takes exactly one word; with more, the words are a place ("TZ Bar 8pm").
  CHECK(parse_as<create_command>("!tweetup tz Europe Berlin").arguments == "tz Europe Berlin");
}

TEST_CASE("command_parser: names are case-insensitive") {
  CHECK(parse_as<join_command>("!JOIN 2").number == 2);
  CHECK(parse_as<join_command>("!Join 2 +1").guests == 1);
  CHECK(parse_as<cancel_command>("!TWEETUP CANCEL 4").number == 4);
  CHECK(std::holds_alternative<list_command>(parse("!TweetUps")));
  CHECK(parse_as<move_command>("!Tweetup Move 2 5pm").when == "5pm");
}

TEST_CASE("command_parser: a colon or comma after the name") {
  CHECK(parse_as<create_command>("!tweetup: Starbucks 3pm").arguments == "Starbucks 3pm");
  CHECK(parse_as<create_command>("!tweetup, Starbucks 3pm").arguments == "Starbucks 3pm");
  CHECK(parse_as<join_command>("!join: 2").number == 2);
  CHECK_FALSE(parse_command("!: 3", "!").has_value());
  // With no space after the mark, what follows it is the arguments.
  CHECK(parse_as<create_command>("!tweetup:Starbucks 3pm").arguments == "Starbucks 3pm");
  CHECK(parse_as<create_command>("!Tweetup,Starbucks 3pm").arguments == "Starbucks 3pm");
  CHECK(parse_as<join_command>("!join:2").number == 2);
  CHECK(parse_as<cancel_command>("!tweetup:cancel 4").number == 4);
  CHECK_FALSE(parse_command("!tweetupx:Starbucks 3pm", "!").has_value());
  CHECK_FALSE(parse_command("!foo:tweetup 3pm", "!").has_value());
}

TEST_CASE("command_parser: lines not for us are nullopt") {
  CHECK_FALSE(parse_command("!foo 3", "!").has_value());
  CHECK_FALSE(parse_command("!joinx 3", "!").has_value());
  CHECK_FALSE(parse_command("join 3", "!").has_value());
  CHECK_FALSE(parse_command("hello !join 3", "!").has_value());
  CHECK_FALSE(parse_command("", "!").has_value());
  CHECK_FALSE(parse_command("!", "!").has_value());
  CHECK_FALSE(parse_command("! join 3", "!").has_value());
  CHECK_FALSE(parse_command("?join 3", "!").has_value());
  CHECK_FALSE(parse_command("/join 3", "!").has_value());
  CHECK_FALSE(parse_command("!join 3", "").has_value());
  // Unknown names are ignored even when they are long or not text: they may be another bot's.
  CHECK_FALSE(parse_command("!foo " + std::string(5000, 'x'), "!").has_value());
}

TEST_CASE("command_parser: other prefixes") {
  CHECK(parse_command("?join 3", "?").has_value());
  CHECK(std::get<join_command>(*parse_command("?join 3", "?")).number == 3);
  CHECK_FALSE(parse_command("!join 3", "?").has_value());
  const auto multi = parse_command("tw!join 4 +1", "tw!");
  REQUIRE(multi.has_value());
  CHECK(std::get<join_command>(*multi).guests == 1);
  const auto err = parse_command("?join", "?");
  REQUIRE(err.has_value());
  CHECK(std::get<command_error>(*err).message ==
        "Which tweetup? Give its number. Example: ?join 3 +1");
}

TEST_CASE("command_parser: too long, invalid UTF-8 and NUL are command errors") {
  const std::string head = "!tweetup Cafe 3pm ";
  std::string at_limit = head + std::string(max_command_bytes - head.size(), 'a');
  REQUIRE(at_limit.size() == 4000);
  CHECK(std::holds_alternative<create_command>(parse(at_limit)));

  const std::string over = at_limit + "a";
  const auto too_long = error_of(over);
  CHECK(too_long.name == "tweetup");
  CHECK(too_long.message.find("4001 bytes; the limit is 4000") != std::string::npos);

  const std::string not_text_message =
      "That command has bytes that aren't text. Type it again in plain text. Example: "
      "!tweetup Starbucks Alabaster 3pm";
  const auto invalid = error_of("!join 3 \xFF");
  CHECK(invalid.name == "join");
  CHECK(invalid.message == not_text_message);
  CHECK(error_of("!tweetup Caf\xC3 3pm").message == not_text_message);
  CHECK(error_of(std::string_view("!tweetup Cafe\0 3pm", 18)).message == not_text_message);
  CHECK(error_of(std::string_view("!join 3\0", 8)).message == not_text_message);
  // Valid multi-byte text is fine.
  CHECK(parse_as<create_command>("!tweetup Straße des 17. Juni 3pm 😀").arguments ==
        "Straße des 17. Juni 3pm 😀");
}

TEST_CASE("command_parser: errors never quote the raw input") {
  const auto e = error_of("!join <script>");
  CHECK(e.message.find("<script>") == std::string::npos);
  const auto g = error_of("!join 1 +@everyone");
  CHECK(g.message.find("@everyone") == std::string::npos);
}

TEST_CASE("command_parser: a place starting with tz is a create") {
  // Like "Cancel Culture Cafe 3pm": a subcommand word starting a longer place is part of it.
  const auto parsed = parse_command("!tweetup Timezone Lounge 8pm", "!");
  REQUIRE(parsed.has_value());
  CHECK(std::holds_alternative<create_command>(*parsed));
  const auto tz_bar = parse_command("!tweetup TZ Bar 8pm", "!");
  REQUIRE(tz_bar.has_value());
  CHECK(std::holds_alternative<create_command>(*tz_bar));
}

TEST_CASE("command_parser: calendar") {
  CHECK(std::holds_alternative<calendar_command>(parse("!tweetup calendar")));
  CHECK(std::holds_alternative<calendar_command>(parse("!Tweetup CALENDAR  ")));
  // With more words it is a place, like every subcommand name ("Calendar Club 7pm").
  CHECK(parse_as<create_command>("!tweetup calendar club 7pm").arguments == "calendar club 7pm");
}
