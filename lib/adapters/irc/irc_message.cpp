#include "adapters/irc/irc_message.hpp"

#include <algorithm>

namespace tweetup::irc {
namespace {

bool is_ascii_letter(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
bool is_ascii_digit(char c) {
  return c >= '0' && c <= '9';
}

// MIRC "Command": letter* / 3digit. An empty command is not one.
bool is_valid_command(std::string_view command) {
  if (command.size() == 3 && std::all_of(command.begin(), command.end(), is_ascii_digit)) {
    return true;
  }
  return !command.empty() && std::all_of(command.begin(), command.end(), is_ascii_letter);
}

std::string to_upper_ascii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// NUL, CR and LF can never appear inside a line: CR LF ends it, and NUL is excluded from every
// production of the grammar. Letting one through is how "\r\nQUIT" injection happens (I7).
bool has_line_breaker(std::string_view text) {
  return text.find_first_of(std::string_view("\0\r\n", 3)) != std::string_view::npos;
}

std::string_view skip_spaces(std::string_view text) {
  const auto first = text.find_first_not_of(' ');
  return first == std::string_view::npos ? std::string_view() : text.substr(first);
}

// Splits off the token up to the next space; `rest` keeps what follows, leading spaces included.
std::string_view take_token(std::string_view& rest) {
  const auto end = std::min(rest.find(' '), rest.size());
  const std::string_view token = rest.substr(0, end);
  rest.remove_prefix(end);
  return token;
}

void parse_tags(std::string_view text, std::vector<irc_message::tag>& tags) {
  while (!text.empty()) {
    const auto end = std::min(text.find(';'), text.size());
    const std::string_view segment = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    const auto equals = segment.find('=');
    const std::string_view key = segment.substr(0, equals);
    // A nameless tag cannot be looked up or written back; dropping it keeps the rest usable.
    if (key.empty()) continue;
    std::string value;
    if (equals != std::string_view::npos) value = unescape_tag_value(segment.substr(equals + 1));
    tags.push_back({std::string(key), std::move(value)});
  }
}

// A middle parameter must survive a round trip as a middle parameter (MIRC "Parameters").
bool is_valid_middle(std::string_view param) {
  return !param.empty() && param.front() != ':' && param.find(' ') == std::string_view::npos;
}

bool is_valid_tag_key(std::string_view key) {
  return !key.empty() &&
         key.find_first_of(std::string_view("=; \0\r\n", 6)) == std::string_view::npos;
}

}  // namespace

std::optional<std::string_view> irc_message::tag_value(std::string_view key) const {
  // IRCv3 message-tags: "Clients receiving messages with more than one occurrence of a tag key
  // SHOULD discard all but the final occurrence."
  for (auto it = tags.rbegin(); it != tags.rend(); ++it) {
    if (it->key == key) return std::string_view(it->value);
  }
  return std::nullopt;
}

std::string_view irc_message::param(std::size_t index) const {
  return index < params.size() ? std::string_view(params[index]) : std::string_view();
}

bool irc_message::is_numeric() const {
  return command.size() == 3 && std::all_of(command.begin(), command.end(), is_ascii_digit);
}

// MIRC "Source": nickname [ "!" user ] [ "@" host ]. The host is everything after the first '@',
// and the user is what lies between a '!' before that '@' and the '@'.
std::string_view irc_message::source_nick() const {
  const std::string_view all(source);
  return all.substr(0, all.find_first_of("!@"));
}

std::string_view irc_message::source_user() const {
  const std::string_view all(source);
  const std::string_view user_part = all.substr(0, all.find('@'));
  const auto bang = user_part.find('!');
  return bang == std::string_view::npos ? std::string_view() : user_part.substr(bang + 1);
}

std::string_view irc_message::source_host() const {
  const std::string_view all(source);
  const auto at = all.find('@');
  return at == std::string_view::npos ? std::string_view() : all.substr(at + 1);
}

std::optional<irc_message> parse_irc_line(std::string_view line) {
  if (line.ends_with("\r\n")) {
    line.remove_suffix(2);
  } else if (line.ends_with('\n') || line.ends_with('\r')) {
    line.remove_suffix(1);
  }
  if (has_line_breaker(line)) return std::nullopt;

  irc_message message;
  std::string_view rest = skip_spaces(line);
  if (rest.starts_with('@')) {
    rest.remove_prefix(1);
    parse_tags(take_token(rest), message.tags);
    rest = skip_spaces(rest);
  }
  if (rest.starts_with(':')) {
    rest.remove_prefix(1);
    const std::string_view source = take_token(rest);
    if (source.empty()) return std::nullopt;
    message.source = source;
    rest = skip_spaces(rest);
  }
  const std::string_view command = take_token(rest);
  if (!is_valid_command(command)) return std::nullopt;
  message.command = to_upper_ascii(command);

  for (rest = skip_spaces(rest); !rest.empty(); rest = skip_spaces(rest)) {
    if (rest.front() == ':') {
      message.params.emplace_back(rest.substr(1));
      break;
    }
    if (message.params.size() == max_irc_params - 1) {
      // RFC 2812 "params": after 14 middles the rest of the line is the last parameter, with
      // or without its ':'. Without the ':' the spaces at its end are padding, as they are
      // after a middle (parser-tests: ":src AWAY " has no parameters).
      message.params.emplace_back(rest.substr(0, rest.find_last_not_of(' ') + 1));
      break;
    }
    message.params.emplace_back(take_token(rest));
  }
  return message;
}

std::optional<std::string> serialize(const irc_message& message) {
  std::string out;
  if (!message.tags.empty()) {
    out += '@';
    for (std::size_t i = 0; i < message.tags.size(); ++i) {
      const irc_message::tag& tag = message.tags[i];
      if (!is_valid_tag_key(tag.key)) return std::nullopt;
      if (tag.value.find('\0') != std::string::npos) return std::nullopt;
      if (i > 0) out += ';';
      out += tag.key;
      // An empty value is written as a bare key, which means the same (MIRC "Tags").
      if (!tag.value.empty()) {
        out += '=';
        out += escape_tag_value(tag.value);
      }
    }
    out += ' ';
  }
  if (!message.source.empty()) {
    if (has_line_breaker(message.source) || message.source.find(' ') != std::string::npos) {
      return std::nullopt;
    }
    out += ':';
    out += message.source;
    out += ' ';
  }
  if (!is_valid_command(message.command)) return std::nullopt;
  out += to_upper_ascii(message.command);

  if (message.params.size() > max_irc_params) return std::nullopt;
  for (std::size_t i = 0; i < message.params.size(); ++i) {
    const std::string& param = message.params[i];
    if (has_line_breaker(param)) return std::nullopt;
    out += ' ';
    if (i + 1 < message.params.size()) {
      if (!is_valid_middle(param)) return std::nullopt;
    } else if (!is_valid_middle(param)) {
      // MIRC "Parameters": an empty parameter, or one with a space or a leading ':', MUST be
      // sent as the trailing one.
      out += ':';
    }
    out += param;
  }
  return out;
}

std::string escape_tag_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    switch (c) {
      case ';':
        out += "\\:";
        break;
      case ' ':
        out += "\\s";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string unescape_tag_value(std::string_view escaped) {
  std::string out;
  out.reserve(escaped.size());
  // One character at a time, never by repeated replace(): "\\\\n" is a backslash then 'n', not
  // a backslash then LF (parser-tests msg-split "wayward replacements").
  for (std::size_t i = 0; i < escaped.size(); ++i) {
    if (escaped[i] != '\\') {
      out += escaped[i];
      continue;
    }
    if (++i == escaped.size()) break;  // a lone trailing backslash stands for nothing
    switch (escaped[i]) {
      case ':':
        out += ';';
        break;
      case 's':
        out += ' ';
        break;
      case 'r':
        out += '\r';
        break;
      case 'n':
        out += '\n';
        break;
      default:
        out += escaped[i];  // "\\" -> '\', and "\b" -> 'b'
    }
  }
  return out;
}

}  // namespace tweetup::irc
