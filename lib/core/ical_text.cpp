#include "core/ical_text.hpp"

namespace tweetup::ical {
namespace {

// RFC 5545 §3.1: "Lines of text SHOULD NOT be longer than 75 octets, excluding the line break."
constexpr std::size_t max_line_octets = 75;

bool is_utf8_continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

}  // namespace

std::string escape_text(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case ';':
        out += "\\;";
        break;
      case ',':
        out += "\\,";
        break;
      case '\r':
        // CRLF is one break; a lone CR (old Mac text) is one too.
        if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
        out += "\\n";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += c;  // TEXT allows WSP (§3.3.11)
        break;
      default:
        // §3.3.11 excludes CONTROL characters from TEXT; a client would stop reading there.
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) break;
        out += c;
    }
  }
  return out;
}

std::string content_line(std::string_view name, std::string_view value) {
  std::string line;
  line.reserve(name.size() + 1 + value.size());
  line += name;
  line += ':';
  line += value;

  std::string out;
  out.reserve(line.size() + line.size() / 70 * 3 + 2);
  std::string_view rest = line;
  // The first physical line holds 75 octets; each continuation holds 74 after its space.
  std::size_t room = max_line_octets;
  while (rest.size() > room) {
    std::size_t cut = room;
    // Back up to the start of the UTF-8 sequence the cut would split; at most 3 bytes.
    while (cut > 0 && is_utf8_continuation(rest[cut]))
      --cut;
    if (cut == 0) cut = room;  // not UTF-8 at all: cut by octets rather than loop forever
    out += rest.substr(0, cut);
    out += "\r\n ";
    rest.remove_prefix(cut);
    room = max_line_octets - 1;
  }
  out += rest;
  out += "\r\n";
  return out;
}

}  // namespace tweetup::ical
