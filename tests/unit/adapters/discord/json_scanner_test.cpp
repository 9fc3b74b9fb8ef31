// json_scanner against nlohmann's own SAX parser: the same verdict on every input, and the same
// events for every input both accept.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/discord/json_scanner.hpp"

namespace tweetup {
namespace {

using json = nlohmann::json;

// Writes every event down, so two readers can be compared event by event.
struct recorder {
  std::string log;

  bool null() { return note("null"); }
  bool boolean(bool v) { return note(v ? "true" : "false"); }
  bool number_integer(std::int64_t v) { return note("i" + std::to_string(v)); }
  bool number_unsigned(std::uint64_t v) { return note("u" + std::to_string(v)); }
  bool number_float(double v, const std::string& text) {
    return note("f" + text + "=" + std::to_string(v));
  }
  bool string(std::string& v) { return note("s" + std::to_string(v.size()) + ":" + v); }
  bool binary(json::binary_t&) { return note("binary"); }
  bool start_object(std::size_t) { return note("{"); }
  bool key(std::string& k) { return note("k" + std::to_string(k.size()) + ":" + k); }
  bool end_object() { return note("}"); }
  bool start_array(std::size_t) { return note("["); }
  bool end_array() { return note("]"); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
    return false;
  }

  bool note(const std::string& event) {
    log += event;
    log += '\n';
    return true;
  }
};

// The same log through the string_view members, which the scanner prefers when a handler has
// them: keys and strings without escapes then come as views into the input.
struct view_recorder : recorder {
  bool key_view(std::string_view k) {
    return note("k" + std::to_string(k.size()) + ":" + std::string(k));
  }
  bool string_view_value(std::string_view v) {
    return note("s" + std::to_string(v.size()) + ":" + std::string(v));
  }
};
static_assert(json_scanner::detail::takes_views<view_recorder>);
static_assert(!json_scanner::detail::takes_views<recorder>);

void same_as_nlohmann(const std::string& text) {
  CAPTURE(text);
  recorder theirs;
  const bool accepted = json::sax_parse(text, &theirs);
  recorder ours;
  const auto outcome = json_scanner::scan(text, ours);
  view_recorder ours_viewed;
  const auto outcome_viewed = json_scanner::scan(text, ours_viewed);
  if (accepted) {
    REQUIRE(outcome == json_scanner::outcome::ok);
    REQUIRE(ours.log == theirs.log);
    REQUIRE(outcome_viewed == json_scanner::outcome::ok);
    REQUIRE(ours_viewed.log == theirs.log);
  } else {
    REQUIRE(outcome == json_scanner::outcome::not_json);
    REQUIRE(outcome_viewed == json_scanner::outcome::not_json);
  }
}

const std::string message_create =
    R"({"t":"MESSAGE_CREATE","s":42,"op":0,"d":{"type":0,"tts":false,"timestamp":)"
    R"("2026-11-29T09:00:00.000000+00:00","referenced_message":null,"pinned":false,)"
    R"("nonce":"1311776425000000000","mentions":[{"id":"1300000000000000005","username":)"
    R"("bob","bot":false}],"mention_roles":[],"mention_everyone":false,"member":{"roles":)"
    R"(["1300000000000000009"],"premium_since":null,"pending":false,"nick":null,"mute":)"
    R"(false,"joined_at":"2026-01-01T00:00:00.000000+00:00","flags":0,"deaf":false,)"
    R"("communication_disabled_until":null,"avatar":null},"id":"1311776425000000001",)"
    R"("flags":0,"embeds":[],"edited_timestamp":null,"content":"!tweetup Caf\u00e9 \ud83c\udf89 )"
    R"(3pm \"Saturday\"\n","components":[],"channel_id":"1300000000000000002","author":)"
    R"({"username":"alice","public_flags":0,"id":"1300000000000000004","global_name":)"
    R"("Alice \u00c5","discriminator":"0","avatar":"a_0123456789abcdef"},"attachments":[],)"
    R"("guild_id":"1300000000000000001","weights":[1.5,-0.25,1e3,2E-2,-0,0]}})";

TEST_CASE("json_scanner: the same events as nlohmann's parser on valid JSON") {
  const std::vector<std::string> cases = {
      message_create,
      R"({"op":10,"d":{"heartbeat_interval":41250,"_trace":["gateway-prd"]}})",
      R"({"op":9,"d":false})",
      "\xEF\xBB\xBF {\"op\":11}",
      " \t\r\n[ ] ",
      "{}",
      "0",
      "-0",
      "\"\"",
      "true",
      "null",
      R"([9223372036854775807,9223372036854775808,18446744073709551615,18446744073709551616])",
      R"([-9223372036854775808,-9223372036854775809,-1,1e-400,0.1,12.5e+3,1.7976931348623157e308])",
      R"(["\u0000\u001f\/\\\"\b\f\n\r\t","\uD83D\uDE00","\u00e9\u20AC","raw)"
      "\x7f\xC3\xA9\xE2\x82\xAC\xF0\x9F\x8E\x89\xF4\x8F\xBF\xBF\xED\x9F\xBF\xEE\x80\x80\"]",
      R"({"a":{"a":{"a":[[[{"b":[]}]]]}},"a":1})",
  };
  for (const auto& text : cases)
    same_as_nlohmann(text);
}

TEST_CASE("json_scanner: refuses what nlohmann's parser refuses") {
  const std::vector<std::string> cases = {
      "",
      " ",
      "{",
      "}",
      "[1,]",
      "{\"a\":1,}",
      "{\"a\" 1}",
      "{a:1}",
      "[01]",
      "[1.]",
      "[.5]",
      "[1e]",
      "[+1]",
      "[-]",
      "[tru]",
      "[nul]",
      "[True]",
      "{} {}",
      "[1] x",
      "\"\\x\"",
      "\"\\u12\"",
      "\"\\uD83D\"",
      "\"\\uD83D\\u0041\"",
      "\"\\uDE00\"",
      "\"tab\there\"",
      "\"\x01\"",
      "\"\xFF\"",
      "\"\xC0\xAF\"",
      "\"\xED\xA0\x80\"",
      "\"\xF4\x90\x80\x80\"",
      "\"\xE2\x82\"",
      "\"unterminated",
      "\xEF\xBB",
      "[1]\xEF\xBB\xBF",
      "\x0b[]",
      "[1,\xC2\xA0 2]",
      "[1e400]",
      "[-1e400]",
  };
  for (const auto& text : cases)
    same_as_nlohmann(text);
}

TEST_CASE("json_scanner: a byte that ends a plain run is seen at every place in an 8-byte block") {
  // The scanner tests eight bytes at once; each of these must stop it wherever it sits.
  const std::vector<std::string> stoppers = {
      "\"",   "\\",   "\\n",      "\\u00e9",      std::string(1, '\0'), "\x1f",         " ",
      "\x7f", "\x80", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x8E\x89",   "\xED\xA0\x80", "\xFF"};
  for (std::size_t length = 0; length < 20; ++length) {
    for (std::size_t at = 0; at <= length; ++at) {
      for (const auto& stopper : stoppers) {
        same_as_nlohmann("[\"" + std::string(at, 'a') + stopper + std::string(length - at, 'b') +
                         "\"]");
        same_as_nlohmann("{\"" + std::string(at, 'k') + stopper + std::string(length - at, 'y') +
                         "\":1}");
      }
    }
  }
}

TEST_CASE("json_scanner: agrees with nlohmann's parser on mutated frames") {
  static const char interesting[] = {
      '"',    '\\',   '{',    '}',    '[',    ']',    ',',    ':',    '0',    '1',   '9',  '-',
      '.',    'e',    'E',    '+',    'u',    'D',    'n',    't',    'f',    ' ',   '\n', '\0',
      '\x1f', '\x7f', '\x80', '\xBF', '\xC3', '\xE2', '\xED', '\xF0', '\xF4', '\xFF'};
  std::mt19937 rng(1129);
  std::uniform_int_distribution<int> edits(1, 4);
  std::uniform_int_distribution<int> how(0, 3);
  std::uniform_int_distribution<std::size_t> pick(0, sizeof interesting - 1);
  const std::vector<std::string> seeds = {
      message_create,
      R"([0,-0,12,-12.5e+3,1E-2,18446744073709551615,-9223372036854775808,true,false,null])",
      R"({"s":"\u0000\/\\\"\b\f\n\r\t\uD83D\uDE00\u00e9","k":[")"
      "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x8E\x89\"]}",
  };
  std::uniform_int_distribution<std::size_t> seed(0, seeds.size() - 1);
  for (int i = 0; i < 30000; ++i) {
    std::string text = seeds[seed(rng)];
    for (int e = edits(rng); e > 0 && !text.empty(); --e) {
      const std::size_t at = std::uniform_int_distribution<std::size_t>(0, text.size() - 1)(rng);
      switch (how(rng)) {
        case 0:
          text[at] = interesting[pick(rng)];
          break;
        case 1:
          text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), interesting[pick(rng)]);
          break;
        case 2:
          text.erase(at, 1);
          break;
        default:
          text.resize(at);
          break;
      }
    }
    same_as_nlohmann(text);
  }
}

TEST_CASE("json_scanner: deep nesting past the inline levels, objects and arrays mixed") {
  // The scanner keeps 256 levels inline and spills deeper ones; each must close as it opened.
  for (const std::size_t depth : {63, 64, 65, 255, 256, 257, 300, 700}) {
    std::string text;
    std::string closing;
    for (std::size_t i = 0; i < depth; ++i) {
      const bool object = i % 3 == 1 || i % 7 == 0;
      text += object ? "{\"k\":" : "[";
      closing.insert(closing.begin(), object ? '}' : ']');
    }
    same_as_nlohmann(text + "1" + closing);
    // A closer that does not match its opener at each depth is refused.
    std::string swapped = closing;
    swapped[depth / 2] = swapped[depth / 2] == '}' ? ']' : '}';
    same_as_nlohmann(text + "1" + swapped);
  }
}

TEST_CASE("json_scanner: depth is limited, and a handler can stop it") {
  recorder r;
  const std::string deep64 = std::string(64, '[') + std::string(64, ']');
  const std::string deep65 = std::string(65, '[') + std::string(65, ']');
  CHECK(json_scanner::scan(deep64, r, 64) == json_scanner::outcome::ok);
  CHECK(json_scanner::scan(deep65, r, 64) == json_scanner::outcome::too_deep);
  // The limit is met before the error further on.
  CHECK(json_scanner::scan(std::string(65, '[') + "x", r, 64) == json_scanner::outcome::too_deep);

  struct stop_at_key : recorder {
    bool key(std::string& k) { return k != "stop"; }
  } stopper;
  CHECK(json_scanner::scan(R"({"go":1,"stop":2})", stopper) == json_scanner::outcome::stopped);

  struct stop_at_view : view_recorder {
    bool key_view(std::string_view k) { return k != "st\\op"; }
    bool string_view_value(std::string_view v) { return v != "stop"; }
  } view_stopper;
  CHECK(json_scanner::scan(R"({"go":1,"st\\op":2})", view_stopper) ==
        json_scanner::outcome::stopped);
  CHECK(json_scanner::scan(R"({"go":"stop"})", view_stopper) == json_scanner::outcome::stopped);
  CHECK(json_scanner::scan(R"({"go":"st\u006fp"})", view_stopper) ==
        json_scanner::outcome::stopped);
}

}  // namespace
}  // namespace tweetup
