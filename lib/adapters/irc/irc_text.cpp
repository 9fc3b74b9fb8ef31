#include "adapters/irc/irc_text.hpp"

#include <cstdint>

#include "core/text_checks.hpp"

namespace tweetup::irc {
namespace {

constexpr std::string_view replacement_character = "\xEF\xBF\xBD";  // U+FFFD

// Bytes the server adds around the text of a relayed PRIVMSG (I5):
// ":" prefix " PRIVMSG " target " :" text "\r\n".
constexpr std::size_t max_line_bytes = 512;
constexpr std::size_t privmsg_overhead_bytes = 1 + 9 + 2 + 2;
constexpr std::size_t max_utf8_sequence = 4;

std::uint8_t byte_at(std::string_view text, std::size_t i) {
  return static_cast<std::uint8_t>(text[i]);
}

bool is_digit(std::string_view text, std::size_t i) {
  return i < text.size() && text[i] >= '0' && text[i] <= '9';
}

bool is_hex_digit(std::string_view text, std::size_t i) {
  if (i >= text.size()) return false;
  const char c = text[i];
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Up to two digits at `i`: how many there are.
std::size_t colour_digits(std::string_view text, std::size_t i) {
  if (!is_digit(text, i)) return 0;
  return is_digit(text, i + 1) ? 2 : 1;
}

bool is_hex_colour(std::string_view text, std::size_t i) {
  for (std::size_t k = 0; k < 6; ++k) {
    if (!is_hex_digit(text, i + k)) return false;
  }
  return true;
}

// How many bytes the colour code at `i` takes, its control byte included. ircdocs "Formatting":
// \x03 takes an optional foreground of one or two digits, and a ",background" only after a
// foreground and only when a digit follows the comma ("\x035,x" keeps ",x"). \x04 does the
// same with six hex digits each.
std::size_t colour_code_length(std::string_view text, std::size_t i) {
  std::size_t length = 1;
  if (text[i] == '\x03') {
    const std::size_t fg = colour_digits(text, i + length);
    if (fg == 0) return length;
    length += fg;
    if (text.substr(i + length).starts_with(',') && is_digit(text, i + length + 1)) {
      length += 1 + colour_digits(text, i + length + 1);
    }
    return length;
  }
  if (!is_hex_colour(text, i + length)) return length;
  length += 6;
  if (text.substr(i + length).starts_with(',') && is_hex_colour(text, i + length + 1)) {
    length += 7;
  }
  return length;
}

// Lines of `text`, split at LF, CR LF or a lone CR.
template <typename Visit>
void for_each_line(std::string_view text, Visit visit) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\r' && text[i] != '\n') continue;
    visit(text.substr(start, i - start));
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    start = i + 1;
  }
  visit(text.substr(start));
}

std::size_t utf8_length_from_lead(std::uint8_t lead) {
  if (lead < 0x80) return 1;
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  return 4;
}

// Appends to `parts` the cuts of one clean line (valid UTF-8, no controls, no trailing space,
// not empty). Each step walks one part's worth of bytes, so the whole is linear.
void split_line(std::string_view line, std::size_t max_bytes, std::size_t max_code_points,
                std::vector<std::string>& parts) {
  while (!line.empty()) {
    // The longest prefix within both limits, ending on a character boundary, and the last
    // space in it, or just after it, that follows a visible character: cutting there leaves a
    // part that ends with something visible.
    std::size_t fit = 0;
    std::size_t code_points = 0;
    std::size_t cut_space = 0;  // index of the space to cut at; 0 means none
    bool seen_visible = false;
    while (fit < line.size()) {
      if (line[fit] == ' ' && fit > 0 && line[fit - 1] != ' ') cut_space = fit;
      const std::size_t length = utf8_length_from_lead(byte_at(line, fit));
      if (fit + length > max_bytes || code_points == max_code_points) break;
      if (line[fit] != ' ') seen_visible = true;
      fit += length;
      ++code_points;
    }
    if (fit == line.size()) {
      parts.emplace_back(line);
      return;
    }
    if (cut_space > 0) {
      parts.emplace_back(line.substr(0, cut_space));
      line.remove_prefix(cut_space + 1);
    } else {
      // A run of spaces longer than a whole part would make a blank message; it is dropped.
      if (seen_visible) parts.emplace_back(line.substr(0, fit));
      line.remove_prefix(fit);
    }
  }
}

}  // namespace

std::string strip_for_irc(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const std::uint8_t b = byte_at(text, i);
    if (b == 0x03 || b == 0x04) {
      i += colour_code_length(text, i);
      continue;
    }
    // NUL, CR and LF could end the line or inject a command (I7); the other C0 bytes are
    // formatting codes or invisible; DEL is invisible too.
    if (b < 0x20 || b == 0x7F) {
      ++i;
      continue;
    }
    const long length = utf8_sequence_at(text, i);
    if (length < 0) {
      out += replacement_character;
      i += static_cast<std::size_t>(-length);
      continue;
    }
    // U+0080–U+009F, the C1 controls: some terminals act on them (CSI is U+009B).
    const bool c1_control = length == 2 && b == 0xC2 && byte_at(text, i + 1) < 0xA0;
    if (!c1_control) out.append(text.substr(i, static_cast<std::size_t>(length)));
    i += static_cast<std::size_t>(length);
  }
  return out;
}

std::size_t privmsg_text_budget(std::string_view target, std::size_t prefix_budget) {
  const std::size_t overhead = privmsg_overhead_bytes + target.size();
  if (prefix_budget >= max_line_bytes || overhead >= max_line_bytes - prefix_budget) return 0;
  return max_line_bytes - prefix_budget - overhead;
}

std::vector<std::string> split_chat_text(std::string_view text, std::size_t max_bytes,
                                         std::size_t max_code_points) {
  std::vector<std::string> parts;
  if (max_bytes < max_utf8_sequence || max_code_points == 0) return parts;
  for_each_line(text, [&](std::string_view raw_line) {
    const std::string clean = strip_for_irc(raw_line);
    const auto last_visible = clean.find_last_not_of(' ');
    if (last_visible == std::string::npos) return;  // empty or blank: nothing to send
    split_line(std::string_view(clean).substr(0, last_visible + 1), max_bytes, max_code_points,
               parts);
  });
  return parts;
}

std::vector<std::string> split_privmsg(std::string_view target, std::string_view text,
                                       std::size_t prefix_budget, std::size_t max_code_points) {
  return split_chat_text(text, privmsg_text_budget(target, prefix_budget), max_code_points);
}

bool is_channel_name(std::string_view name, std::string_view chantypes) {
  if (name.empty() || chantypes.find(name.front()) == std::string_view::npos) return false;
  return name.find_first_of(std::string_view(" ,\a\0\r\n", 6)) == std::string_view::npos;
}

}  // namespace tweetup::irc
