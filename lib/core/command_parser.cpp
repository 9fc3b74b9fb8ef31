#include "core/command_parser.hpp"

#include <algorithm>
#include <charconv>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/duration_text.hpp"
#include "core/text_checks.hpp"

namespace tweetup {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

// Splits off the first whitespace-separated word.
std::string_view next_word(std::string_view& rest) {
  std::size_t start = 0;
  while (start < rest.size() && is_space(rest[start]))
    ++start;
  std::size_t end = start;
  while (end < rest.size() && !is_space(rest[end]))
    ++end;
  std::string_view word = rest.substr(start, end - start);
  rest.remove_prefix(end);
  return word;
}

std::string lower(std::string_view word) {
  std::string out(word);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// "3" or "#3". Ids are small positive integers.
std::optional<int> parse_number(std::string_view word) {
  if (!word.empty() && word.front() == '#') word.remove_prefix(1);
  if (word.empty() || word.size() > 9) return std::nullopt;
  int value = 0;
  auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), value);
  if (ec != std::errc{} || end != word.data() + word.size() || value <= 0) return std::nullopt;
  return value;
}

bool looks_like_id(std::string_view word) {
  if (!word.empty() && word.front() == '#') word.remove_prefix(1);
  if (word.empty()) return false;
  for (char c : word) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

class parser {
 public:
  explicit parser(std::string_view prefix) : prefix_(prefix) {}

  command error(std::string_view name, std::string_view problem, std::string_view example) const {
    return command_error{std::string(name),
                         fmt::format("{} Example: {}{}", problem, prefix_, example)};
  }

  // Reads the required event id; on failure returns the error to give instead.
  std::optional<command> read_id(std::string_view name, std::string_view& rest, int& number,
                                 std::string_view example) const {
    const std::string_view word = next_word(rest);
    if (word.empty()) return error(name, "Which tweetup? Give its number.", example);
    const auto parsed = parse_number(word);
    if (!parsed) {
      return error(name, "A tweetup number is a whole number like 3 (see !tweetups).", example);
    }
    number = *parsed;
    return std::nullopt;
  }

  command join(std::string_view rest) const {
    join_command c;
    if (auto failed = read_id("join", rest, c.number, "join 3 +1")) return *failed;
    const std::string_view guests = next_word(rest);
    if (!guests.empty()) {
      int value = -1;
      std::string_view digits = guests.substr(1);
      const bool plus_form = guests.front() == '+' && !digits.empty() && digits.size() <= 3;
      if (plus_form) {
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        if (ec != std::errc{} || end != digits.data() + digits.size()) value = -1;
      }
      if (!plus_form || value < 0 || value > max_guests) {
        return error("join", fmt::format("Guests are written +N, from +0 to +{}.", max_guests),
                     "join 3 +2");
      }
      c.guests = value;
    }
    if (!trim(rest).empty()) return error("join", "That's more than I understand.", "join 3 +2");
    return c;
  }

  template <typename Command>
  command id_only(std::string_view name, std::string_view rest, std::string_view example) const {
    Command c;
    if (auto failed = read_id(name, rest, c.number, example)) return *failed;
    if (!trim(rest).empty()) return error(name, "That's more than I understand.", example);
    return c;
  }

  command tweetup(std::string_view rest) const {
    const std::string_view arguments = trim(rest);
    std::string_view after = arguments;
    const std::string sub = lower(next_word(after));
    std::string_view lookahead = after;
    const std::string_view second = next_word(lookahead);
    // "cancel", "move"… are subcommands only when an id (or nothing) follows, so a place like
    // "Cancel Culture Cafe 3pm" still creates a tweetup.
    const bool id_follows = second.empty() || looks_like_id(second);
    if (sub == "info" && id_follows)
      return id_only<info_command>("tweetup info", after, "tweetup info 3");
    if (sub == "cancel" && id_follows) {
      return id_only<cancel_command>("tweetup cancel", after, "tweetup cancel 3");
    }
    if (sub == "move" && id_follows) {
      move_command c;
      if (auto failed = read_id("tweetup move", after, c.number, "tweetup move 3 tomorrow 4pm"))
        return *failed;
      c.when = std::string(trim(after));
      if (c.when.empty())
        return error("tweetup move", "Say the new time.", "tweetup move 3 tomorrow 4pm");
      return c;
    }
    if (sub == "place" && id_follows) {
      place_command c;
      if (auto failed =
              read_id("tweetup place", after, c.number, "tweetup place 3 Blue Bottle Coffee")) {
        return *failed;
      }
      c.place = std::string(trim(after));
      if (c.place.empty()) {
        return error("tweetup place", "Say the new place.", "tweetup place 3 Blue Bottle Coffee");
      }
      return c;
    }
    if (sub == "limit" && id_follows) return limit(after);
    // "tz" takes one word; "TZ Bar 8pm" is a place.
    std::string_view third_probe = lookahead;
    const bool one_word_follows = next_word(third_probe).empty();
    if ((sub == "tz" || sub == "timezone") && one_word_follows) {
      const std::string_view zone = next_word(after);
      if (zone.empty() || !trim(after).empty()) {
        return error("tweetup tz", "Give one IANA time zone name.", "tweetup tz Europe/Berlin");
      }
      return tz_command{std::string(zone)};
    }
    const bool offset_follows = second.empty() || parse_offset(second) || lower(second) == "off" ||
                                lower(second) == "default" || lower(second) == "none";
    if (sub == "reminders" && offset_follows) return reminders(after);
    if (sub == "status" && second.empty()) return status_command{};
    if (sub == "calendar" && second.empty()) return calendar_command{};
    if ((sub == "list" || sub == "ls") && second.empty()) return list_command{};
    if (sub == "help" && second.empty()) return help_command{};
    if (arguments.empty()) {
      return error("tweetup", "Say where and when.", "tweetup Starbucks Alabaster 3pm");
    }
    return create_command{std::string(arguments)};
  }

  command limit(std::string_view rest) const {
    limit_command c;
    constexpr std::string_view example = "tweetup limit 3 8";
    if (auto failed = read_id("tweetup limit", rest, c.number, example)) return *failed;
    const std::string word = lower(next_word(rest));
    if (!trim(rest).empty() || word.empty()) {
      return error("tweetup limit", "Give the number of seats, or none.", example);
    }
    if (word == "none" || word == "off" || word == "unlimited") return c;
    int value = 0;
    auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), value);
    if (ec != std::errc{} || end != word.data() + word.size() || value < 1 || value > 100000) {
      return error("tweetup limit", "A limit is a number of seats, at least 1 (or none).", example);
    }
    c.capacity = value;
    return c;
  }

  command reminders(std::string_view rest) const {
    constexpr std::string_view example = "tweetup reminders 2h 15m";
    reminders_command c;
    std::vector<std::string> words;
    for (auto word = next_word(rest); !word.empty(); word = next_word(rest)) {
      words.push_back(lower(word));
    }
    if (words.empty()) {
      return error("tweetup reminders", "Give the offsets before the start, or off or default.",
                   example);
    }
    if (words.size() == 1 && (words[0] == "off" || words[0] == "none")) return c;
    if (words.size() == 1 && words[0] == "default") {
      c.use_default = true;
      return c;
    }
    constexpr std::size_t max_reminders = 5;
    for (const auto& word : words) {
      const auto offset = parse_offset(word);
      if (!offset) {
        return error("tweetup reminders",
                     "Offsets are a number and a unit: s, m, h or d (like 90m or 1h30m).", example);
      }
      c.offsets.push_back(*offset);
    }
    if (c.offsets.size() > max_reminders) {
      return error("tweetup reminders", fmt::format("At most {} reminders, please.", max_reminders),
                   example);
    }
    return c;
  }

  command help(std::string_view rest) const {
    std::string topic(trim(rest));
    if (topic.starts_with(prefix_)) topic.erase(0, prefix_.size());
    return help_command{lower(topic)};
  }

 private:
  std::string_view prefix_;
};

}  // namespace

std::optional<command> parse_command(std::string_view text, std::string_view prefix) {
  std::string_view rest = trim(text);
  if (prefix.empty() || !rest.starts_with(prefix)) return std::nullopt;
  rest.remove_prefix(prefix.size());
  if (rest.empty() || is_space(rest.front())) return std::nullopt;  // "! tweetup" is prose
  const std::string_view line = rest;
  std::string_view word = next_word(rest);
  static const std::vector<std::string> names{"tweetup", "tweetups", "join",
                                              "maybe",   "leave",    "help"};
  const auto known = [](const std::string& n) {
    return std::find(names.begin(), names.end(), n) != names.end();
  };
  // "!tweetup: Starbucks 3pm", "!join, 3": a mark written onto the name is not part of it, and
  // what follows it without a space is the arguments': "!tweetup:Starbucks 3pm".
  const std::size_t mark = word.find_first_of(":,");
  if (mark != std::string_view::npos && mark > 0 && known(lower(word.substr(0, mark)))) {
    rest = line.substr(static_cast<std::size_t>(word.data() - line.data()) + mark + 1);
    word = word.substr(0, mark);
  }
  const std::string name = lower(word);
  if (!known(name)) return std::nullopt;

  const parser p(prefix);
  if (text.size() > max_command_bytes) {
    return p.error(name,
                   fmt::format("That's too long for a command ({} bytes; the limit is {}).",
                               text.size(), max_command_bytes),
                   "tweetup Starbucks Alabaster 3pm");
  }
  if (!is_valid_utf8(text) || text.find('\0') != std::string_view::npos) {
    return p.error(name, "That command has bytes that aren't text. Type it again in plain text.",
                   "tweetup Starbucks Alabaster 3pm");
  }
  if (name == "tweetup") return p.tweetup(rest);
  if (name == "tweetups") return list_command{};
  if (name == "join") return p.join(rest);
  if (name == "maybe") return p.id_only<maybe_command>("maybe", rest, "maybe 3");
  if (name == "leave") return p.id_only<leave_command>("leave", rest, "leave 3");
  return p.help(rest);
}

}  // namespace tweetup
