// libFuzzer target for the IRC line codec and chat-text helpers (../../shared/design.md §9):
// lib/adapters/irc/irc_message and irc_text. The input is one raw line off the wire, used whole,
// so the seeds in corpus/irc_line are plain IRC lines.
//
// Invariants (a violation calls __builtin_trap, which libFuzzer reports as a crash):
// - a parsed line always serializes (everything the parser accepts can be written), the wire
//   form holds no NUL, CR or LF, parses back to an equal message, and is a fixed point;
// - a message built from arbitrary fields (the input split at 0xFF bytes) either is refused by
//   serialize(), or parses back to itself: serialize() refuses exactly what would not survive;
// - strip_for_irc() output is valid UTF-8 with no control byte (C0, DEL or C1), at most three
//   times the input's size, and stripping it again changes nothing;
// - split_privmsg() / split_chat_text() parts are non-empty, end with no space, are valid UTF-8
//   with no control byte, fit the byte and code-point limits (the relayed PRIVMSG line fits in
//   512 bytes), each makes exactly one PRIVMSG on the wire, and together they hold every
//   non-space byte of strip_for_irc(input), in order.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/irc/irc_message.hpp"
#include "adapters/irc/irc_text.hpp"
#include "fuzz_oracle.hpp"

namespace {

namespace irc = tweetup::irc;

using tweetup::fuzz::check;
using tweetup::fuzz::valid_utf8;

// C0, DEL, and the C1 controls as UTF-8 (C2 80 to C2 9F).
bool has_control(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F) return true;
    if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) < 0xA0) {
      return true;
    }
  }
  return false;
}

bool has_line_breaker(std::string_view text) {
  return text.find_first_of(std::string_view("\0\r\n", 3)) != std::string_view::npos;
}

std::size_t code_points(std::string_view text) {
  std::size_t n = 0;
  for (const char c : text)
    n += (static_cast<unsigned char>(c) & 0xC0u) != 0x80u;
  return n;
}

std::string without_spaces(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c != ' ') out += c;
  }
  return out;
}

void check_parsed_line(std::string_view line) {
  const auto message = irc::parse_irc_line(line);
  if (!message) return;
  check(!message->command.empty());
  check(message->params.size() <= irc::max_irc_params);
  const auto wire = irc::serialize(*message);
  check(wire.has_value());
  check(!has_line_breaker(*wire));
  const auto again = irc::parse_irc_line(*wire);
  check(again.has_value() && *again == *message);
  check(irc::serialize(*again) == wire);
}

// Arbitrary fields, split at 0xFF (a byte that is never needed for structure): source, tag key,
// tag value, then parameters.
void check_built_message(std::string_view data) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= data.size(); ++i) {
    if (i == data.size() || static_cast<unsigned char>(data[i]) == 0xFF) {
      fields.push_back(data.substr(start, i - start));
      start = i + 1;
    }
  }
  const auto field = [&](std::size_t i) { return i < fields.size() ? fields[i] : ""; };
  irc::irc_message message;
  message.source = field(0);
  message.command = "PRIVMSG";
  if (!field(1).empty() || !field(2).empty()) {
    message.tags.push_back({std::string(field(1)), std::string(field(2))});
  }
  for (std::size_t i = 3; i < fields.size(); ++i)
    message.params.emplace_back(fields[i]);

  const auto wire = irc::serialize(message);
  if (!wire) return;
  check(!has_line_breaker(*wire));
  const auto parsed = irc::parse_irc_line(*wire);
  check(parsed.has_value() && *parsed == message);
}

void check_strip(std::string_view text) {
  const std::string clean = irc::strip_for_irc(text);
  check(valid_utf8(clean));
  check(!has_control(clean));
  check(clean.size() <= 3 * text.size());
  check(irc::strip_for_irc(clean) == clean);
}

// `stripped` is without_spaces(strip_for_irc(text)), computed once per input.
void check_parts(const std::vector<std::string>& parts, std::string_view stripped,
                 std::size_t max_bytes, std::size_t max_code_points) {
  std::string joined;
  for (const std::string& part : parts) {
    check(!part.empty() && part.back() != ' ');
    check(valid_utf8(part));
    check(!has_control(part));
    check(part.size() <= max_bytes);
    check(code_points(part) <= max_code_points);
    joined += part;
  }
  check(without_spaces(joined) == stripped);
}

// Each part makes exactly one PRIVMSG on the wire, carrying exactly that part.
void check_on_the_wire(const std::vector<std::string>& parts, std::string_view target) {
  for (const std::string& part : parts) {
    const auto wire = irc::serialize({{}, "", "PRIVMSG", {std::string(target), part}});
    check(wire.has_value());
    const auto parsed = irc::parse_irc_line(*wire);
    check(parsed && parsed->command == "PRIVMSG" && parsed->params.size() == 2 &&
          parsed->params[1] == part);
  }
}

void check_split(std::string_view text) {
  const std::string stripped = without_spaces(irc::strip_for_irc(text));
  const std::string_view target = "#tweetup";
  // Budgets from roomy to 6 bytes of text, so that every kind of cut happens on short inputs.
  for (const std::size_t prefix :
       {std::size_t{0}, irc::default_prefix_budget, std::size_t{460}, std::size_t{484}}) {
    const std::size_t budget = irc::privmsg_text_budget(target, prefix);
    const auto parts = irc::split_privmsg(target, text, prefix);
    check_parts(parts, stripped, budget, irc::no_code_point_limit);
    // The line as the server relays it: ":" prefix " PRIVMSG " target " :" text CR LF (I5).
    for (const std::string& part : parts) {
      check(1 + prefix + 9 + target.size() + 2 + part.size() + 2 <= 512);
    }
    if (prefix == irc::default_prefix_budget) check_on_the_wire(parts, target);
  }
  check_parts(irc::split_chat_text(text, 100000, irc::twitch_max_code_points), stripped, 100000,
              irc::twitch_max_code_points);
  check_parts(irc::split_chat_text(text, 50, 7), stripped, 50, 7);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_parsed_line(input);
  check_built_message(input);
  check_strip(input);
  check_split(input);
  return 0;
}
