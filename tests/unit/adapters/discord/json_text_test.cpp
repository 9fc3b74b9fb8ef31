// json_text against nlohmann's own dump(): the same text for every valid value, and valid JSON
// whatever the bytes.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <random>
#include <string>

#include "adapters/discord/json_text.hpp"

namespace tweetup {
namespace {

using json = nlohmann::json;

std::string reference(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

// A string mixing what escaping must tell apart: plain ASCII, quotes, backslashes, every control
// character, DEL, and well-formed 2-, 3- and 4-byte UTF-8.
std::string random_text(std::mt19937& rng) {
  static const char* const pieces[] = {
      "a",      "Z",         " ",           "\"",           "\\",
      "/",      "\x7f",      "\xC3\xA9",    "\xE2\x82\xAC", "\xF0\x9F\x8E\x89",
      "<@123>", "@everyone", "\xEF\xBF\xBD"};
  std::uniform_int_distribution<int> count(0, 12);
  std::uniform_int_distribution<int> kind(0, 3);
  std::uniform_int_distribution<int> piece(0, std::size(pieces) - 1);
  std::uniform_int_distribution<int> control(0, 0x1f);
  std::string text;
  for (int i = count(rng); i > 0; --i) {
    if (kind(rng) == 0) {
      text += static_cast<char>(control(rng));
    } else {
      text += pieces[piece(rng)];
    }
  }
  return text;
}

json random_value(std::mt19937& rng, int depth) {
  std::uniform_int_distribution<int> kind(0, depth > 3 ? 5 : 7);
  switch (kind(rng)) {
    case 0:
      return nullptr;
    case 1:
      return std::uniform_int_distribution<int>(0, 1)(rng) == 1;
    case 2:
      return std::uniform_int_distribution<std::int64_t>(
          std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max())(rng);
    case 3:
      return std::uniform_int_distribution<std::uint64_t>()(rng);
    case 4:
      return std::uniform_real_distribution<double>(-1e6, 1e6)(rng);
    case 5:
      return random_text(rng);
    case 6: {
      json array = json::array();
      for (int i = std::uniform_int_distribution<int>(0, 4)(rng); i > 0; --i)
        array.push_back(random_value(rng, depth + 1));
      return array;
    }
    default: {
      json object = json::object();
      for (int i = std::uniform_int_distribution<int>(0, 4)(rng); i > 0; --i)
        object[random_text(rng)] = random_value(rng, depth + 1);
      return object;
    }
  }
}

TEST_CASE("json_text writes what dump() writes") {
  const json fixed = {
      {"content", "Sat 28 Nov, <t:1764363600:F> \"quoted\" \\ tab\there\nline"},
      {"allowed_mentions",
       {{"parse", json::array()}, {"replied_user", false}, {"users", {"1300000000000000004"}}}},
      {"nonce", "job:42"},
      {"enforce_nonce", true},
      {"flags", 64},
      {"limits",
       {std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::uint64_t>::max(), 0, -1,
        1.5, nullptr}},
      {"empty", json::object()},
  };
  CHECK(json_text(fixed) == reference(fixed));
  CHECK(json_text(json("\x01\x1f\x7f")) == "\"\\u0001\\u001f\x7f\"");

  std::mt19937 rng(20261129);
  for (int i = 0; i < 3000; ++i) {
    const json value = random_value(rng, 0);
    CAPTURE(reference(value));
    REQUIRE(json_text(value) == reference(value));
  }
}

TEST_CASE("json_text replaces invalid UTF-8 and stays parseable") {
  struct replacement_case {
    std::string in;
    std::string shown;
  };
  const std::string fffd = "\xEF\xBF\xBD";
  const replacement_case cases[] = {
      {"a\xFFz", "a" + fffd + "z"},
      {"\xC0\xAF", fffd + fffd},                        // an overlong '/'
      {"\xED\xA0\x80", fffd + fffd + fffd},             // a UTF-16 surrogate
      {"end\xE2\x82", "end" + fffd + fffd},             // cut short
      {"\xF4\x90\x80\x80", fffd + fffd + fffd + fffd},  // past U+10FFFF
      {"ok \xE2\x82\xAC", "ok \xE2\x82\xAC"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.in);
    const std::string text = json_text(json{{"content", c.in}});
    const json back = json::parse(text, nullptr, false);
    REQUIRE_FALSE(back.is_discarded());
    CHECK(back["content"] == c.shown);
  }
}

}  // namespace
}  // namespace tweetup
