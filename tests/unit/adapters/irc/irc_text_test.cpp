// Chat text for IRC: stripping (I7), splitting to the relayed-line budget (I5), Twitch's
// 500-character cut (T3) and channel names.
#include "adapters/irc/irc_text.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/irc/irc_message.hpp"

using namespace tweetup::irc;

namespace {

const std::string fffd = "\xEF\xBF\xBD";
const std::string e_acute = "\xC3\xA9";                // é, 2 bytes
const std::string nihon = "\xE6\x97\xA5\xE6\x9C\xAC";  // 日本, 3 bytes each
const std::string grinning = "\xF0\x9F\x98\x80";       // 😀, 4 bytes

// An independent, strict decoder, so the tests do not trust the code under test.
bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<std::uint8_t>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (b < 0x80) {
      n = 1;
      cp = b;
    } else if ((b & 0xE0) == 0xC0) {
      n = 2;
      cp = b & 0x1F;
    } else if ((b & 0xF0) == 0xE0) {
      n = 3;
      cp = b & 0x0F;
    } else if ((b & 0xF8) == 0xF0) {
      n = 4;
      cp = b & 0x07;
    } else {
      return false;
    }
    if (i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      const auto c = static_cast<std::uint8_t>(s[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3F);
    }
    const std::uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n;
  }
  return true;
}

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (const char c : s)
    n += (static_cast<std::uint8_t>(c) & 0xC0) != 0x80;
  return n;
}

bool has_control_byte(std::string_view s) {
  for (const char c : s) {
    const auto b = static_cast<std::uint8_t>(c);
    if (b < 0x20 || b == 0x7F) return true;
  }
  return false;
}

std::string repeat(std::string_view unit, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i)
    out += unit;
  return out;
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += separator;
    out += parts[i];
  }
  return out;
}

// The line another client receives when the server relays our PRIVMSG (I5).
std::string relayed_line(std::size_t prefix_bytes, std::string_view target, std::string_view text) {
  return ":" + std::string(prefix_bytes, 'n') + " PRIVMSG " + std::string(target) + " :" +
         std::string(text) + "\r\n";
}

// Every part is something the server can relay whole, and nothing else.
void check_parts(const std::vector<std::string>& parts, std::string_view target,
                 std::size_t prefix_bytes) {
  for (const std::string& part : parts) {
    CAPTURE(part);
    CHECK_FALSE(part.empty());
    CHECK(part.find_first_not_of(' ') != std::string::npos);
    CHECK(part.back() != ' ');
    CHECK(valid_utf8(part));
    CHECK_FALSE(has_control_byte(part));
    CHECK(relayed_line(prefix_bytes, target, part).size() <= 512);
    // What the bot sends parses back as one PRIVMSG carrying exactly this text.
    const auto wire = serialize({{}, "", "PRIVMSG", {std::string(target), part}});
    REQUIRE(wire.has_value());
    const auto parsed = parse_irc_line(*wire);
    REQUIRE(parsed.has_value());
    CHECK(parsed->command == "PRIVMSG");
    CHECK(parsed->params == std::vector<std::string>{std::string(target), part});
  }
}

// A reply of short words of mixed lengths, single spaces, of at least `bytes` bytes.
std::string words_reply(std::size_t bytes, const std::vector<std::string>& words) {
  std::string out;
  for (std::size_t i = 0; out.size() < bytes; ++i) {
    if (!out.empty()) out += ' ';
    out += words[i % words.size()];
  }
  return out;
}

}  // namespace

TEST_CASE("irc_text: strip_for_irc removes line breaks and other C0 controls") {
  CHECK(strip_for_irc("") == "");
  CHECK(strip_for_irc("hello, world") == "hello, world");
  CHECK(strip_for_irc("x\r\nQUIT :bye") == "xQUIT :bye");
  CHECK(strip_for_irc("a\rb\nc") == "abc");
  CHECK(strip_for_irc(std::string("a\0b", 3)) == "ab");
  CHECK(strip_for_irc("tab\there") == "tabhere");
  CHECK(strip_for_irc("\x1B[31mred\x1B[0m") == "[31mred[0m");
  CHECK(strip_for_irc("bell\x07 del\x7F") == "bell del");
  CHECK(strip_for_irc("\x01"
                      "ACTION waves\x01") == "ACTION waves");  // CTCP delimiters
  std::string all_c0;
  for (char c = 0; c < 0x20; ++c)
    all_c0 += c;
  CHECK(strip_for_irc(all_c0) == "");
}

TEST_CASE("irc_text: strip_for_irc removes formatting codes with their arguments") {
  CHECK(strip_for_irc("\x02"
                      "bold\x02 \x1D"
                      "italic\x1D \x1F"
                      "under\x1F \x1E"
                      "strike\x1E "
                      "\x11"
                      "mono\x11 \x16"
                      "rev\x16 \x0F"
                      "reset") == "bold italic under strike mono rev reset");
  // \x03: fg of one or two digits, then ",bg" only after an fg and before a digit.
  CHECK(strip_for_irc("\x03"
                      "4red") == "red");
  CHECK(strip_for_irc("\x03"
                      "04red") == "red");
  CHECK(strip_for_irc("\x03"
                      "04,12blue") == "blue");
  CHECK(strip_for_irc("\x03"
                      "4,2x") == "x");
  CHECK(strip_for_irc("\x03"
                      "123") == "3");  // two digits at most
  CHECK(strip_for_irc("\x03"
                      "12,345") == "5");
  CHECK(strip_for_irc("\x03"
                      ",5x") == ",5x");  // no fg: the comma is text
  CHECK(strip_for_irc("\x03"
                      "5,x") == ",x");  // no digit after the comma
  CHECK(strip_for_irc("\x03"
                      "off") == "off");  // bare \x03 resets colour
  CHECK(strip_for_irc("a\x03") == "a");
  CHECK(strip_for_irc("\x03"
                      "3,") == ",");
  // \x04: six hex digits, then ",RRGGBB" only when six more follow.
  CHECK(strip_for_irc("\x04"
                      "FF0000red") == "red");
  CHECK(strip_for_irc("\x04"
                      "ff0000,00FF00x") == "x");
  CHECK(strip_for_irc("\x04"
                      "FF00x") == "FF00x");  // too few digits: only \x04 goes
  CHECK(strip_for_irc("\x04"
                      "FF0000,00FFx") == ",00FFx");
  CHECK(strip_for_irc("\x04"
                      "123456789") == "789");
  CHECK(strip_for_irc("a\x04") == "a");
}

TEST_CASE("irc_text: strip_for_irc keeps valid UTF-8 and replaces invalid bytes") {
  const std::string mixed = "Caf" + e_acute + " " + nihon + " " + grinning +
                            " Stra\xC3\x9F"
                            "e";
  CHECK(strip_for_irc(mixed) == mixed);
  CHECK(strip_for_irc("\xC2\xA0") == "\xC2\xA0");  // U+00A0 is the first non-control above ASCII
  CHECK(strip_for_irc("\xF4\x8F\xBF\xBF") == "\xF4\x8F\xBF\xBF");  // U+10FFFF
  // C1 controls (U+0080–U+009F) go, like C0.
  CHECK(strip_for_irc("a\xC2\x80"
                      "b\xC2\x9B"
                      "c\xC2\x9F"
                      "d") == "abcd");
  // One U+FFFD per maximal ill-formed subpart (Unicode §3.9).
  CHECK(strip_for_irc("\xFF") == fffd);
  CHECK(strip_for_irc("a\xC3") == "a" + fffd);  // truncated é
  CHECK(strip_for_irc("\xE6\x97") == fffd);     // truncated 日
  CHECK(strip_for_irc("\xE6\x97x") == fffd + "x");
  CHECK(strip_for_irc("\xF0\x9F\x98") == fffd);                           // truncated 😀
  CHECK(strip_for_irc("\xC0\xAF") == fffd + fffd);                        // overlong '/'
  CHECK(strip_for_irc("\xE0\x80\xAF") == fffd + fffd + fffd);             // overlong, 3 bytes
  CHECK(strip_for_irc("\xED\xA0\x80") == fffd + fffd + fffd);             // surrogate U+D800
  CHECK(strip_for_irc("\xF4\x90\x80\x80") == fffd + fffd + fffd + fffd);  // above U+10FFFF
  CHECK(strip_for_irc("\x80\xBF") == fffd + fffd);                        // lone continuations
  // An invalid sequence cut short by a control: both are dealt with.
  CHECK(strip_for_irc("\xE2\x03"
                      "4x") == fffd + "x");
  CHECK(strip_for_irc("\xE2\x82\r\n") == fffd);
}

TEST_CASE("irc_text: privmsg_text_budget leaves room for the relayed prefix") {
  CHECK(privmsg_text_budget("#c", 100) == 396);
  CHECK(privmsg_text_budget("#tweetup", 48) == 442);
  CHECK(privmsg_text_budget("#tweetup", default_prefix_budget) == 390);
  // The budget fills the 512 bytes exactly.
  CHECK(relayed_line(48, "#tweetup", std::string(442, 'x')).size() == 512);
  CHECK(relayed_line(100, "#c", std::string(396, 'x')).size() == 512);
  // Nothing fits.
  CHECK(privmsg_text_budget("#c", 495) == 1);
  CHECK(privmsg_text_budget("#c", 496) == 0);
  CHECK(privmsg_text_budget("#c", 512) == 0);
  CHECK(privmsg_text_budget("#c", 100000) == 0);
  CHECK(privmsg_text_budget(std::string(600, 'c'), 10) == 0);
}

TEST_CASE("irc_text: split_privmsg cuts at the last space that fits") {
  // prefix 486 with target "#c" leaves exactly 10 bytes of text.
  REQUIRE(privmsg_text_budget("#c", 486) == 10);
  using parts = std::vector<std::string>;
  CHECK(split_privmsg("#c", "hello", 486) == parts{"hello"});
  CHECK(split_privmsg("#c", "0123456789", 486) == parts{"0123456789"});
  CHECK(split_privmsg("#c", "aaaa bbbb cccc", 486) == parts{"aaaa bbbb", "cccc"});
  // A space just past the limit is the best cut.
  CHECK(split_privmsg("#c", "aaaaaaaaaa bbb", 486) == parts{"aaaaaaaaaa", "bbb"});
  CHECK(split_privmsg("#c", "a bbbbbbbbbbbb", 486) == parts{"a", "bbbbbbbbbb", "bb"});
  // No space: a hard cut that consumes nothing.
  CHECK(split_privmsg("#c", "aaaaaaaaaaaaaaa", 486) == parts{"aaaaaaaaaa", "aaaaa"});
  // Leading spaces are kept, trailing ones dropped; several spaces: only the cut one goes.
  CHECK(split_privmsg("#c", "  indented  ", 486) == parts{"  indented"});
  CHECK(split_privmsg("#c", "aaaa  bbbbbb", 486) == parts{"aaaa", " bbbbbb"});
  // A space run longer than a part is dropped rather than sent blank.
  CHECK(split_privmsg("#c", "a" + std::string(25, ' ') + "b", 486) == parts{"a", "    b"});
  CHECK(split_privmsg("#c", std::string(25, ' ') + "b", 486) == parts{"     b"});
}

TEST_CASE("irc_text: split_privmsg never breaks a UTF-8 character") {
  using parts = std::vector<std::string>;
  // 9 bytes of budget: four é (8 bytes), not five.
  REQUIRE(privmsg_text_budget("#c", 487) == 9);
  CHECK(split_privmsg("#c", repeat(e_acute, 5), 487) == parts{repeat(e_acute, 4), e_acute});
  // 10 bytes: three CJK characters (9 bytes), and two emoji (8 bytes).
  CHECK(split_privmsg("#c", nihon + nihon, 486) == parts{nihon + "\xE6\x97\xA5", "\xE6\x9C\xAC"});
  CHECK(split_privmsg("#c", repeat(grinning, 3), 486) == parts{grinning + grinning, grinning});
  // Spaces among multi-byte text: cut at the space, never inside a character.
  const std::string four = repeat(e_acute, 4);
  CHECK(split_privmsg("#c", four + " " + four + " " + four, 486) == parts{four, four, four});
}

TEST_CASE("irc_text: split_privmsg sends each line of a multi-line reply on its own") {
  using parts = std::vector<std::string>;
  CHECK(split_privmsg("#c", "Line one\nLine two\r\nLine three\rfour", 100) ==
        parts{"Line one", "Line two", "Line three", "four"});
  CHECK(split_privmsg("#c", "a\n\n\r\n  \nb\n", 100) == parts{"a", "b"});
  CHECK(split_privmsg("#c", "", 100).empty());
  CHECK(split_privmsg("#c", "\r\n\n", 100).empty());
  CHECK(split_privmsg("#c",
                      "   \n \x02\x03"
                      "4 ",
                      100)
            .empty());
}

TEST_CASE("irc_text: split_privmsg cannot be used to inject a command") {
  using namespace std::string_literals;
  const std::string text = "ok\r\nQUIT :bye\r\nPRIVMSG #other :spam\0x\rJOIN #x\n"s;
  const auto parts = split_privmsg("#c", text, default_prefix_budget);
  CHECK(parts == std::vector<std::string>{"ok", "QUIT :bye", "PRIVMSG #other :spamx", "JOIN #x"});
  check_parts(parts, "#c", default_prefix_budget);
  // The same text in one PRIVMSG, stripped first, is one line too.
  const auto wire = serialize({{}, "", "PRIVMSG", {"#c", strip_for_irc(text)}});
  REQUIRE(wire.has_value());
  CHECK(*wire == "PRIVMSG #c :okQUIT :byePRIVMSG #other :spamxJOIN #x");
  // Unstripped, the serializer refuses it.
  CHECK_FALSE(serialize({{}, "", "PRIVMSG", {"#c", text}}).has_value());
}

TEST_CASE("irc_text: a 1,500-byte reply arrives whole") {
  const std::string target = "#tweetup";
  const std::size_t prefix = default_prefix_budget;  // 390 bytes of text per line

  SUBCASE("ASCII words: the parts joined by single spaces give the reply back") {
    const std::string reply = words_reply(
        1500, {"Starbucks", "Alabaster", "at", "3pm", "RSVP", "with", "!join", "7", "--", "ok"});
    REQUIRE(reply.size() >= 1500);
    const auto parts = split_privmsg(target, reply, prefix);
    CHECK(parts.size() == 4);  // 1,500 / 390 rounded up; no part is wasted
    check_parts(parts, target, prefix);
    CHECK(join(parts, " ") == reply);
  }
  SUBCASE("no spaces: hard cuts that consume nothing") {
    const std::string reply(1500, 'x');
    const auto parts = split_privmsg(target, reply, prefix);
    REQUIRE(parts.size() == 4);
    CHECK(parts[0].size() == 390);
    CHECK(parts[3].size() == 1500 - 3 * 390);
    check_parts(parts, target, prefix);
    CHECK(join(parts, "") == reply);
  }
  SUBCASE("multi-byte characters without spaces") {
    // 389 bytes of budget is not a multiple of 2, 3 or 4, so every cut lands just before a
    // character that would not fit.
    const std::size_t odd_prefix = prefix + 1;
    REQUIRE(privmsg_text_budget(target, odd_prefix) == 389);
    struct unit_case {
      std::string unit;
      std::size_t per_part;  // whole characters in 389 bytes
    };
    for (const unit_case& u :
         {unit_case{e_acute, 194}, unit_case{"\xE6\x97\xA5", 129}, unit_case{grinning, 97}}) {
      CAPTURE(u.unit);
      const std::size_t count = 1500 / u.unit.size();
      const std::string reply = repeat(u.unit, count);
      REQUIRE(reply.size() == 1500);
      const auto parts = split_privmsg(target, reply, odd_prefix);
      check_parts(parts, target, odd_prefix);
      CHECK(join(parts, "") == reply);
      REQUIRE(parts.size() >= 2);
      CHECK(parts[0].size() == u.per_part * u.unit.size());
      CHECK(code_points(parts[0]) == u.per_part);
    }
  }
  SUBCASE("mixed UTF-8 words") {
    const std::string reply =
        words_reply(1500, {"Caf" + e_acute, nihon, grinning,
                           "Stra\xC3\x9F"
                           "e",
                           e_acute + e_acute, "ok", nihon + grinning + nihon});
    const auto parts = split_privmsg(target, reply, prefix);
    CHECK(parts.size() >= 4);
    check_parts(parts, target, prefix);
    CHECK(join(parts, " ") == reply);
  }
}

TEST_CASE("irc_text: Twitch cuts at 500 code points") {
  using parts = std::vector<std::string>;
  // The code-point cap alone: a byte limit far above it.
  const std::string long_accented = repeat(e_acute, 1200);
  const auto cut = split_chat_text(long_accented, 100000, twitch_max_code_points);
  REQUIRE(cut.size() == 3);
  CHECK(code_points(cut[0]) == 500);
  CHECK(code_points(cut[1]) == 500);
  CHECK(code_points(cut[2]) == 200);
  CHECK(join(cut, "") == long_accented);
  // Both limits: whichever binds first.
  const std::string four = repeat(e_acute, 4);  // 4 code points, 8 bytes
  const std::string line = four + " " + four + " " + four;
  CHECK(split_chat_text(line, 100, 10) == parts{four + " " + four, four});  // 9 code points
  CHECK(split_chat_text(line, 10, 100) == parts{four, four, four});         // 8 bytes
  CHECK(split_chat_text(std::string(12, 'a'), 100, 5) == parts{"aaaaa", "aaaaa", "aa"});
  // With IRC's byte budget the 500 cap never binds: every part is already shorter.
  const std::string ascii = words_reply(1500, {"twitch", "chat", "says", "hi"});
  const auto twitch = split_privmsg("#ronni", ascii, 0, twitch_max_code_points);
  check_parts(twitch, "#ronni", 0);
  for (const std::string& part : twitch)
    CHECK(code_points(part) <= twitch_max_code_points);
  CHECK(join(twitch, " ") == ascii);
  // Degenerate limits give nothing rather than something that does not fit.
  CHECK(split_chat_text("abc", 100, 0).empty());
  CHECK(split_chat_text("abc", 3, 100).empty());
  CHECK(split_privmsg("#c", "abc", 495).empty());
}

TEST_CASE("irc_text: is_channel_name follows CHANTYPES, default #&") {
  CHECK(is_channel_name("#tweetup"));
  CHECK(is_channel_name("&local"));
  CHECK(is_channel_name("#"));
  CHECK(is_channel_name("#caf\xC3\xA9"));
  CHECK(is_channel_name("##meta"));
  CHECK_FALSE(is_channel_name(""));
  CHECK_FALSE(is_channel_name("tweetbot"));
  CHECK_FALSE(is_channel_name("+modeless"));
  CHECK_FALSE(is_channel_name("!12345chan"));
  CHECK_FALSE(is_channel_name("@#chan"));  // a STATUSMSG target, not a channel name
  CHECK_FALSE(is_channel_name("#a b"));
  CHECK_FALSE(is_channel_name("#a,#b"));
  CHECK_FALSE(is_channel_name("#bell\x07"));
  CHECK_FALSE(is_channel_name("#x\r\nQUIT"));
  CHECK_FALSE(is_channel_name(std::string("#a\0b", 4)));
  // 005 CHANTYPES as the server advertises it.
  CHECK(is_channel_name("+modeless", "#+"));
  CHECK_FALSE(is_channel_name("&local", "#"));
  CHECK_FALSE(is_channel_name("#x", ""));
}
