// The event card as an embed with RSVP buttons (protocols.md R6, R7).
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <set>
#include <string>

#include "adapters/discord/event_embed.hpp"
#include "adapters/discord/message_payload.hpp"

namespace tweetup {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

// 2026-12-01T15:00:00Z
constexpr std::chrono::sys_seconds start{std::chrono::seconds{1796137200}};

event_card card() {
  event_card c;
  c.number = 7;
  c.place = "Starbucks Alabaster";
  c.starts_at = start;
  c.ends_at = start + 2h;
  c.zone = "America/Chicago";
  c.organizer = {"1300000000000000004", "alice"};
  c.going = 3;
  c.maybe = 1;
  c.capacity = 5;
  return c;
}

const json& field(const json& embed, const std::string& name) {
  for (const auto& f : embed.at("fields")) {
    if (f.at("name") == name) return f.at("value");
  }
  static const json none;
  FAIL("no field " << name);
  return none;
}

bool has_field(const json& embed, const std::string& name) {
  for (const auto& f : embed.at("fields")) {
    if (f.at("name") == name) return true;
  }
  return false;
}

std::size_t units(const json& text) {
  return message_payload::content_length(text.get<std::string>());
}

bool valid_utf8(const json& j) {
  try {
    (void)j.dump();
    return true;
  } catch (const json::exception&) {
    return false;
  }
}

void check_limits(const json& embed) {
  CHECK(valid_utf8(embed));
  CHECK(units(embed.at("title")) <= event_embed::max_title);
  CHECK(embed.at("fields").size() <= 25);
  for (const auto& f : embed.at("fields")) {
    CHECK(units(f.at("name")) <= 256);
    CHECK(units(f.at("value")) <= event_embed::max_field_value);
    CHECK(units(f.at("value")) >= 1);
  }
  CHECK(units(embed.at("footer").at("text")) <= event_embed::max_footer);
  CHECK(event_embed::total_length(embed) <= event_embed::max_total);
}

TEST_CASE("an open card: the whole embed") {
  const json expected = {
      {"title", "#7 Starbucks Alabaster"},
      {"color", event_embed::color_open},
      {"fields",
       {{{"name", "When"},
         {"value", "<t:1796137200:F> \xE2\x80\x93 <t:1796144400:t> (<t:1796137200:R>)"},
         {"inline", false}},
        {{"name", "Where"},
         {"value",
          "[Starbucks Alabaster](https://www.google.com/maps/search/"
          "?api=1&query=Starbucks%20Alabaster)"},
         {"inline", false}},
        {{"name", "Organizer"}, {"value", "<@1300000000000000004>"}, {"inline", false}},
        {{"name", "Answers"},
         {"value", "3 going \xC2\xB7 1 maybe \xC2\xB7 2 spots left"},
         {"inline", false}}}},
      {"footer", {{"text", "Times in your local time; the channel plans in America/Chicago"}}},
  };
  CHECK(event_embed::embed(card()) == expected);
}

TEST_CASE("when: no end, and an end on a later day shows its date") {
  event_card c = card();
  c.ends_at.reset();
  CHECK(field(event_embed::embed(c), "When") == "<t:1796137200:F> (<t:1796137200:R>)");
  c.ends_at = start + 26h;
  CHECK(field(event_embed::embed(c), "When") ==
        "<t:1796137200:F> \xE2\x80\x93 <t:1796230800:f> (<t:1796137200:R>)");
  c.ends_at = start;  // an end that is no end is not shown
  CHECK(field(event_embed::embed(c), "When") == "<t:1796137200:F> (<t:1796137200:R>)");
}

TEST_CASE("answers: counts, spots, full and waiting") {
  struct row {
    int going;
    int maybe;
    std::optional<int> capacity;
    int waiting;
    const char* text;
  };
  const row rows[] = {
      {3, 1, 5, 0, "3 going \xC2\xB7 1 maybe \xC2\xB7 2 spots left"},
      {4, 0, 5, 0, "4 going \xC2\xB7 0 maybe \xC2\xB7 1 spot left"},
      {5, 2, 5, 0, "5 going \xC2\xB7 2 maybe \xC2\xB7 full"},
      {5, 0, 5, 2, "5 going \xC2\xB7 0 maybe \xC2\xB7 full, 2 waiting"},
      {6, 0, 5, 1, "6 going \xC2\xB7 0 maybe \xC2\xB7 full, 1 waiting"},  // limit lowered
      {3, 0, 5, 1, "3 going \xC2\xB7 0 maybe \xC2\xB7 2 spots left \xC2\xB7 1 waiting"},
      {1, 0, std::nullopt, 0, "1 going \xC2\xB7 0 maybe"},
      {1, 0, std::nullopt, 2, "1 going \xC2\xB7 0 maybe \xC2\xB7 2 waiting"},
  };
  for (const auto& r : rows) {
    CAPTURE(r.text);
    event_card c = card();
    c.going = r.going;
    c.maybe = r.maybe;
    c.capacity = r.capacity;
    c.waiting = r.waiting;
    CHECK(field(event_embed::embed(c), "Answers") == r.text);
  }
}

TEST_CASE("cancelled and finished cards: title, colour, no buttons") {
  event_card c = card();
  c.cancelled = true;
  c.open = false;
  json e = event_embed::embed(c);
  CHECK(e.at("title") == "Cancelled: #7 Starbucks Alabaster");
  CHECK(e.at("color") == event_embed::color_cancelled);
  CHECK(event_embed::components(c) == json::array());

  c.cancelled = false;  // over
  e = event_embed::embed(c);
  CHECK(e.at("title") == "#7 Starbucks Alabaster");
  CHECK(e.at("color") == event_embed::color_over);
  CHECK(event_embed::components(c) == json::array());

  c.cancelled = true;  // a cancelled card never offers buttons, whatever open says
  c.open = true;
  CHECK(event_embed::components(c) == json::array());
}

TEST_CASE("the role does not change the card") {
  event_card c = card();
  c.role = event_card::use::update;
  CHECK(event_embed::embed(c) == event_embed::embed(card()));
  CHECK(event_embed::components(c) == event_embed::components(card()));
}

TEST_CASE("components: one row of three buttons with unique custom ids") {
  const json expected = json::array({{
      {"type", 1},
      {"components",
       {{{"type", 2}, {"style", 3}, {"label", "I'm in"}, {"custom_id", "rsvp:yes:7"}},
        {{"type", 2}, {"style", 2}, {"label", "Maybe"}, {"custom_id", "rsvp:maybe:7"}},
        {{"type", 2}, {"style", 4}, {"label", "Can't go"}, {"custom_id", "rsvp:no:7"}}}},
  }});
  CHECK(event_embed::components(card()) == expected);

  event_card big = card();
  big.number = 2147483647;
  std::set<std::string> ids;
  const json row = event_embed::components(big).at(0);
  for (const auto& b : row.at("components")) {
    const auto id = b.at("custom_id").get<std::string>();
    CHECK(id.size() <= event_embed::max_custom_id);
    CHECK(b.at("label").get<std::string>().size() <= 80);
    ids.insert(id);
  }
  CHECK(ids.size() == 3);
}

TEST_CASE("custom ids round-trip and strangers are refused") {
  using answer = event_embed::answer;
  for (const auto said : {answer::yes, answer::maybe, answer::no}) {
    for (const int n : {1, 42, 999999999}) {
      const auto parsed = event_embed::parse_custom_id(event_embed::custom_id(said, n));
      REQUIRE(parsed);
      CHECK(parsed->said == said);
      CHECK(parsed->number == n);
    }
  }
  CHECK(event_embed::custom_id(answer::maybe, 12) == "rsvp:maybe:12");
  for (const char* stranger :
       {"", "rsvp", "rsvp:", "rsvp:yes", "rsvp:yes:", "rsvp:yes:0", "rsvp:yes:-1", "rsvp:yes:+1",
        "rsvp:yes:01", "rsvp:yes:1x", "rsvp:yes:x1", "rsvp:yes:1:2", "rsvp:yes: 1",
        "rsvp:yes:1234567890", "rsvp:yes:99999999999999999999999", "rsvp:YES:1", "rsvp:going:1",
        "other:yes:1", "rsvp:yes:\xEF\xBC\x91"}) {
    CAPTURE(stranger);
    CHECK_FALSE(event_embed::parse_custom_id(stranger));
  }
}

TEST_CASE("markdown in the place is escaped, mentions and links cannot be faked") {
  event_card c = card();
  c.place = "*Bold* _it_ ~~s~~ ||spoiler|| > quote `code` [x](https://evil.example) <@123> \\";
  const json e = event_embed::embed(c);
  const std::string escaped =
      "\\*Bold\\* \\_it\\_ \\~\\~s\\~\\~ \\|\\|spoiler\\|\\| \\> quote \\`code\\` "
      "\\[x\\](https://evil.example) \\<@123\\> \\\\";
  CHECK(e.at("title") == "#7 " + escaped);
  const std::string where = field(e, "Where").get<std::string>();
  CHECK(where.starts_with("[" + escaped + "](https://www.google.com/maps/search/?api=1&query="));
  // The link is percent-encoded: no ")" or space can end it early.
  const std::size_t link_at = where.find("](https://www.google.com/");
  REQUIRE(link_at != std::string::npos);
  const std::string link = where.substr(link_at + 2);
  CHECK(link.back() == ')');
  CHECK(link.substr(0, link.size() - 1).find_first_of(" ()[]<>") == std::string::npos);
  check_limits(e);
}

TEST_CASE("map links are percent-encoded") {
  CHECK(event_embed::map_link("Caf\xC3\xA9 & Co/1?x=#") ==
        "https://www.google.com/maps/search/?api=1&query=Caf%C3%A9%20%26%20Co%2F1%3Fx%3D%23");
  CHECK(event_embed::map_link("A-Z_a.z~0") ==
        "https://www.google.com/maps/search/?api=1&query=A-Z_a.z~0");
}

TEST_CASE("an organizer without a snowflake id is shown by name, escaped") {
  event_card c = card();
  c.organizer = {"console:bob", "*bob*"};
  CHECK(field(event_embed::embed(c), "Organizer") == "\\*bob\\*");
  c.organizer = {"", ""};
  CHECK_FALSE(has_field(event_embed::embed(c), "Organizer"));
}

TEST_CASE("footer without a zone") {
  event_card c = card();
  c.zone.clear();
  CHECK(event_embed::embed(c).at("footer").at("text") == "Times in your local time");
}

TEST_CASE("long places are cut on code point boundaries and every limit holds") {
  struct row {
    const char* what;
    std::string place;
  };
  const std::string cjk = "\xE5\x92\x96\xE5\x95\xA1";  // two 3-byte characters
  const std::string emoji = "\xF0\x9F\x8D\xA9";        // one 4-byte character, 2 units
  std::string cjk_place, emoji_place, markdown_place, mixed;
  for (int i = 0; i < 300; ++i)
    cjk_place += cjk;
  for (int i = 0; i < 600; ++i)
    emoji_place += emoji;
  for (int i = 0; i < 900; ++i)
    markdown_place += "*";
  for (int i = 0; i < 400; ++i)
    mixed += "a_" + emoji + cjk;
  const row rows[] = {
      {"ascii", std::string(3000, 'x')}, {"cjk", cjk_place}, {"emoji", emoji_place},
      {"markdown", markdown_place},      {"mixed", mixed},
  };
  for (const auto& r : rows) {
    CAPTURE(r.what);
    event_card c = card();
    c.place = r.place;
    c.zone = std::string(5000, 'Z');
    c.organizer = {"", std::string(5000, '_')};
    c.cancelled = true;
    const json e = event_embed::embed(c);
    check_limits(e);
    const std::string title = e.at("title");
    CHECK(title.ends_with("\xE2\x80\xA6"));
    CHECK(title.starts_with("Cancelled: #7 "));
    // No stranded escape: the character before the ellipsis is not a lone backslash.
    const std::string body = title.substr(0, title.size() - 3);
    std::size_t backslashes = 0;
    for (auto it = body.rbegin(); it != body.rend() && *it == '\\'; ++it)
      ++backslashes;
    CHECK(backslashes % 2 == 0);
    const std::string where = field(e, "Where");
    CHECK(where.starts_with("["));
    CHECK(where.find("\xE2\x80\xA6](https://www.google.com/maps/search/?api=1&query=") !=
          std::string::npos);
    CHECK(where.ends_with(")"));
    CHECK(e.at("footer").at("text").get<std::string>().ends_with("\xE2\x80\xA6"));
  }
}

TEST_CASE("a Where value that just fits is not cut") {
  event_card c = card();
  const std::size_t overhead =
      std::string("[](https://www.google.com/maps/search/?api=1&query=)").size();
  // x needs no escape and no encoding: each takes one unit in the text and one in the link.
  c.place = std::string((event_embed::max_field_value - overhead) / 2, 'x');
  std::string where = field(event_embed::embed(c), "Where");
  CHECK(where == "[" + c.place + "](" + event_embed::map_link(c.place) + ")");
  CHECK(where.size() >= event_embed::max_field_value - 1);
  // Two more: the name still fits its half of the field, so the link searches a shorter text.
  c.place += "xx";
  where = field(event_embed::embed(c), "Where").get<std::string>();
  CHECK(where.size() == event_embed::max_field_value);
  CHECK(where.starts_with("[" + c.place + "](" + event_embed::map_link("xxxx")));
  CHECK(where.find(event_embed::map_link(c.place)) == std::string::npos);
  CHECK(where.find("\xE2\x80\xA6") == std::string::npos);
}

TEST_CASE("invalid UTF-8 in a card still gives valid JSON") {
  event_card c = card();
  c.place = "Caf\xC3 \xFF\xFE";
  c.zone = "Bad\xC0\xAF";
  const json e = event_embed::embed(c);
  check_limits(e);
  CHECK(e.at("title") == "#7 Caf\xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST_CASE("total_length counts title, fields, footer, description and author") {
  const json e = {{"title", "abc"},
                  {"description", "de"},
                  {"fields", {{{"name", "f"}, {"value", "gh"}}}},
                  {"footer", {{"text", "ij"}}},
                  {"author", {{"name", "k\xF0\x9F\x8D\xA9"}}}};
  CHECK(event_embed::total_length(e) == 3 + 2 + 1 + 2 + 2 + 3);
  CHECK(event_embed::total_length(json::array()) == 0);
}

}  // namespace
}  // namespace tweetup
