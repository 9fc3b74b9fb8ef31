#include "adapters/discord/message_payload.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>

#include "adapters/discord/discord_text.hpp"
#include "adapters/discord/json_text.hpp"

namespace tweetup {

namespace {

using json = nlohmann::json;

enum class unit_kind { text, space, newline, mention };

// One indivisible run of rendered content: a character, or a whole <@id> token.
struct unit {
  std::size_t begin = 0;  // byte range in the rendered text
  std::size_t end = 0;
  std::size_t length = 0;  // UTF-16 code units
  unit_kind kind = unit_kind::text;
  std::size_t user = 0;  // for a mention: index into rendered::users
};

bool is_whitespace(const unit& u) {
  return u.kind == unit_kind::space || u.kind == unit_kind::newline;
}

struct rendered {
  std::string text;
  std::vector<unit> units;         // filled only when asked for: a split needs them
  std::vector<std::string> users;  // one id per mention, in order
  std::size_t length = 0;          // UTF-16 code units in all
  bool visible = false;            // something besides whitespace
  bool with_units = true;

  void add(const unit& u) {
    length += u.length;
    visible = visible || !is_whitespace(u);
    if (with_units) units.push_back(u);
  }
};

// Valid text is copied in runs, not a character at a time: this runs for every reply.
void append_text(rendered& out, std::string_view text) {
  std::size_t copied = 0;  // text[0, copied) is already in out.text
  std::size_t at = 0;
  while (at < text.size()) {
    const auto lead = static_cast<unsigned char>(text[at]);
    if (lead < 0x80 && !out.with_units) {
      // Without units only the length and visibility count: ASCII needs no unit of its own.
      ++out.length;
      out.visible = out.visible || (lead != ' ' && lead != '\t' && lead != '\r' && lead != '\n');
      ++at;
      continue;
    }
    char32_t code_point = lead;
    std::size_t size = lead < 0x80 ? 1 : discord_text::decode(text.substr(at), code_point);
    unit u;
    if (size == 0) {
      // Discord refuses invalid UTF-8; the replacement is counted as what is sent.
      out.text.append(text.substr(copied, at - copied));
      u.begin = out.text.size();
      out.text += discord_text::replacement;
      u.end = out.text.size();
      size = 1;
      copied = at + 1;
      u.length = 1;
    } else {
      u.begin = out.text.size() + (at - copied);
      u.end = u.begin + size;
      u.length = code_point >= 0x10000 ? 2 : 1;
    }
    if (code_point == '\n' && size == 1) {
      u.kind = unit_kind::newline;
    } else if ((code_point == ' ' || code_point == '\t' || code_point == '\r') && size == 1) {
      u.kind = unit_kind::space;
    }
    out.add(u);
    at += size;
  }
  out.text.append(text.substr(copied));
}

// Bytes of the pieces' own text: a good first size for the rendered text (timestamps and
// mentions are short).
std::size_t message_size(const outbound_message& message) {
  std::size_t size = 0;
  for (const auto& piece : message.pieces)
    size += piece.text.size();
  return size;
}

// Without units when `with_units` is false: nearly every message fits in one part, and then
// the units (one per character) would only be built to be thrown away.
rendered render(const outbound_message& message, bool with_units) {
  rendered out;
  out.with_units = with_units;
  if (with_units) out.units.reserve(message_size(message));
  out.text.reserve(message_size(message));
  for (const auto& piece : message.pieces) {
    if (piece.mention && discord_text::is_snowflake(piece.mention->id)) {
      unit u;
      u.begin = out.text.size();
      out.text += "<@" + piece.mention->id + ">";
      u.end = out.text.size();
      u.length = u.end - u.begin;
      u.kind = unit_kind::mention;
      u.user = out.users.size();
      out.users.push_back(piece.mention->id);
      out.add(u);
    } else if (piece.when) {
      // Each reader sees the time in their own zone, not the channel's.
      append_text(
          out, discord_text::timestamp(piece.when->start, piece.when->end, piece.when->relative));
    } else {
      append_text(out, piece.text);
    }
  }
  return out;
}

struct part {
  std::size_t first = 0;  // unit range [first, last)
  std::size_t last = 0;
};

std::vector<part> split(const rendered& r, std::size_t max_length) {
  const auto& units = r.units;
  const std::size_t n = units.size();
  std::vector<part> parts;  // none for whitespace only

  std::vector<std::size_t> offset(n + 1, 0);  // UTF-16 offset of each unit
  for (std::size_t i = 0; i < n; ++i)
    offset[i + 1] = offset[i] + units[i].length;

  std::size_t begin = 0;
  while (begin < n) {
    std::size_t fit = begin;
    while (fit < n && offset[fit + 1] - offset[begin] <= max_length)
      ++fit;
    if (fit == n) {
      parts.push_back({begin, n});
      break;
    }
    // A single unit wider than the limit (only with a tiny test limit) goes out alone.
    if (fit == begin) fit = begin + 1;

    // A cut at unit c ends the part before c; c itself (whitespace) is dropped. c == fit is
    // fine: the part is then exactly full.
    std::optional<std::size_t> newline_late, space_late, newline_any, space_any;
    for (std::size_t c = fit; c > begin; --c) {
      if (c >= n) continue;
      const bool late = (offset[c] - offset[begin]) * 2 >= max_length;
      if (units[c].kind == unit_kind::newline) {
        if (late && !newline_late) newline_late = c;
        if (!newline_any) newline_any = c;
      } else if (units[c].kind == unit_kind::space) {
        if (late && !space_late) space_late = c;
        if (!space_any) space_any = c;
      }
    }
    const std::size_t cut = newline_late  ? *newline_late
                            : space_late  ? *space_late
                            : newline_any ? *newline_any
                            : space_any   ? *space_any
                                          : fit;
    std::size_t end = cut;
    while (end > begin && is_whitespace(units[end - 1]))
      --end;
    if (end > begin) parts.push_back({begin, end});
    begin = cut;
    while (begin < n && is_whitespace(units[begin]))
      ++begin;
  }
  return parts;
}

// One body's visible part: its content and the users mentioned in it, in order.
struct part_text {
  std::string content;
  std::vector<std::string> mentioned;
};

std::vector<std::string> users_in(const rendered& r, const part& p) {
  std::vector<std::string> users;
  for (std::size_t i = p.first; i < p.last; ++i) {
    if (r.units[i].kind == unit_kind::mention) users.push_back(r.users[r.units[i].user]);
  }
  return users;
}

std::vector<part_text> parts_of(const outbound_message& message, std::size_t max_length) {
  max_length = std::max<std::size_t>(max_length, 1);
  rendered whole = render(message, false);
  std::vector<part_text> out;
  if (!whole.visible) return out;
  if (whole.length <= max_length) {
    out.push_back({std::move(whole.text), std::move(whole.users)});
    return out;
  }
  const rendered r = render(message, true);
  const auto parts = split(r, max_length);
  out.reserve(parts.size());
  for (const auto& p : parts) {
    const std::size_t from = r.units[p.first].begin;
    const std::size_t to = r.units[p.last - 1].end;
    out.push_back({r.text.substr(from, to - from), users_in(r, p)});
  }
  return out;
}

// R5: an empty parse list turns off @everyone, @here, role and user parsing; only the users
// listed are pinged: the ids mentioned in one body (strings or views), each once, in order, at
// most max_allowed_users. Written as text, the form every reply sends; the rarer interaction
// messages parse it.
template <typename Ids>
void append_allowed_mentions(std::string& out, const Ids& mentioned) {
  out += R"({"parse":[],"replied_user":false)";
  std::size_t listed = 0;
  for (auto id = mentioned.begin();
       id != mentioned.end() && listed < message_payload::max_allowed_users; ++id) {
    if (std::find(mentioned.begin(), id, *id) != id) continue;  // listed already
    out += listed == 0 ? R"(,"users":[)" : ",";
    append_json_string(out, *id);
    ++listed;
  }
  if (listed > 0) out += ']';
  out += '}';
}

std::string allowed_mentions(const part_text& part) {
  std::string out;
  append_allowed_mentions(out, part.mentioned);
  return out;
}

std::uint64_t fnv1a_64(std::string_view bytes) {
  std::uint64_t hash = 14695981039346656037ull;
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return hash;
}

bool is_key_character(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == ':' || c == '-';
}

// message_payload::nonce_for, appended to `out`. Every character it writes is plain in a JSON
// string, so a body takes it between quotes as it is.
void append_nonce(std::string& out, std::string_view idempotency_key, std::size_t part,
                  std::size_t parts) {
  if (idempotency_key.empty()) return;
  char suffix[24];
  std::size_t suffix_size = 0;
  if (parts > 1) {
    suffix[0] = '.';
    suffix_size = std::to_chars(suffix + 1, suffix + sizeof suffix, part + 1).ptr - suffix;
  }
  // The length first: the core's reply keys are longer than a nonce, and scanning them for
  // characters that do not matter cost more than the hash.
  if (idempotency_key.size() + suffix_size <= message_payload::max_nonce_length &&
      std::all_of(idempotency_key.begin(), idempotency_key.end(), is_key_character)) {
    out += idempotency_key;
  } else {
    static constexpr char digits[] = "0123456789abcdef";
    char hashed[17];
    hashed[0] = '~';
    const std::uint64_t hash = fnv1a_64(idempotency_key);
    for (int i = 0; i < 16; ++i)
      hashed[1 + i] = digits[(hash >> (60 - 4 * i)) & 0xF];
    out.append(hashed, sizeof hashed);
  }
  out.append(suffix, suffix_size);
}

// Everything after a body's allowed_mentions: nonce, reply reference, the extra members, and
// the closing brace.
void append_body_end(std::string& body, const outbound_message& message, std::size_t part,
                     std::size_t parts, const json& last_extra) {
  if (!message.idempotency_key.empty()) {
    // R4: with enforce_nonce a retry of the same part returns the message already created.
    body += R"(,"nonce":")";
    append_nonce(body, message.idempotency_key, part, parts);
    body += R"(","enforce_nonce":true)";
  }
  if (part == 0 && !message.reply_to.empty()) {
    body += R"(,"message_reference":{"message_id":)";
    append_json_string(body, message.reply_to);
    body += R"(,"fail_if_not_exists":false})";
  }
  if (part + 1 == parts && last_extra.is_object()) {
    for (const auto& [key, value] : last_extra.items()) {
      body += ',';
      append_json_string(body, key);
      body += ':';
      body += json_text(value);
    }
  }
  body += '}';
}

// The one-part fast path: content length and visibility counted as render() counts them.
struct content_measure {
  std::size_t length = 0;  // UTF-16 code units
  bool visible = false;
};

// Appends `text` as render() and then append_json_string would write it (invalid UTF-8 bytes as
// U+FFFD, JSON escapes), counting it on the way.
void append_content(std::string& body, std::string_view text, content_measure& m) {
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t run = at;
    while (run < text.size()) {
      const auto c = static_cast<unsigned char>(text[run]);
      if (!json_plain(c)) break;
      m.visible = m.visible || c != ' ';
      ++run;
    }
    body.append(text.data() + at, run - at);
    m.length += run - at;
    at = run;
    if (at == text.size()) break;
    const auto c = static_cast<unsigned char>(text[at]);
    ++m.length;
    if (c < 0x80) {
      append_json_escape(body, c);
      m.visible = m.visible || (c != '\t' && c != '\r' && c != '\n');
      ++at;
      continue;
    }
    m.visible = true;
    char32_t code_point = 0;
    const std::size_t size = discord_text::decode(text.substr(at), code_point);
    if (size == 0) {
      body += discord_text::replacement;
      ++at;
    } else {
      body.append(text.data() + at, size);
      if (code_point >= 0x10000) ++m.length;
      at += size;
    }
  }
}

// Room for a one-part body: its text, mentions and timestamps, and the members around them.
// Reserved whole because a string that outgrows its reserve doubles its capacity, and a reply
// queued for REST would hold about twice its bytes until it is sent.
std::size_t one_body_room(const outbound_message& message) {
  // {"content":"","allowed_mentions":{"parse":[],"replied_user":false,"users":[]},"nonce":"",
  // "enforce_nonce":true,"message_reference":{"message_id":"","fail_if_not_exists":false}}
  // is 175 bytes; with a 25-byte nonce and a 20-digit id, 220. The rest is room for escapes.
  std::size_t room = 256;
  for (const auto& piece : message.pieces) {
    if (piece.mention) {
      room += 2 * piece.mention->id.size() + 8;  // <@id> in the text, "id", in the users
    } else if (piece.when) {
      room += 88;  // up to three <t:…> tags of at most 26 bytes, and what joins them
    } else {
      room += piece.text.size();
    }
  }
  return room;
}

enum class one_body { written, empty, too_long };

// Nearly every message fits in one part: its body is written straight from the pieces, with no
// rendered copy of the text, no unit list and no copies of the ids. Anything longer than
// max_length is left to the general path (the body is then unspecified).
one_body write_one_body(std::string& body, const outbound_message& message, const json& last_extra,
                        std::size_t max_length) {
  body += R"({"content":")";
  content_measure m;
  std::vector<std::string_view> mentioned;  // views of the pieces' ids, not copies
  for (const auto& piece : message.pieces) {
    if (piece.mention && discord_text::is_snowflake(piece.mention->id)) {
      mentioned.push_back(piece.mention->id);
      // Digits only: nothing to escape.
      body += "<@";
      body += piece.mention->id;
      body += '>';
      m.length += piece.mention->id.size() + 3;
      m.visible = true;
    } else if (piece.when) {
      const std::size_t from = body.size();
      discord_text::append_timestamp(body, piece.when->start, piece.when->end,
                                     piece.when->relative);
      m.length += message_payload::content_length(std::string_view(body).substr(from));
      m.visible = m.visible || body.size() > from;
    } else {
      append_content(body, piece.text, m);
    }
    if (m.length > max_length) return one_body::too_long;
  }
  if (!m.visible) return one_body::empty;
  body += R"(","allowed_mentions":)";
  append_allowed_mentions(body, mentioned);
  append_body_end(body, message, 0, 1, last_extra);
  return one_body::written;
}

}  // namespace

std::size_t message_payload::content_length(std::string_view utf8) {
  std::size_t length = 0;
  while (!utf8.empty()) {
    char32_t code_point = 0;
    const std::size_t size = discord_text::decode(utf8, code_point);
    length += size != 0 && code_point >= 0x10000 ? 2 : 1;
    utf8.remove_prefix(size == 0 ? 1 : size);
  }
  return length;
}

std::string message_payload::nonce_for(std::string_view idempotency_key, std::size_t part,
                                       std::size_t parts) {
  std::string nonce;
  append_nonce(nonce, idempotency_key, part, parts);
  return nonce;
}

std::vector<std::string> message_payload::create_message_bodies(const outbound_message& message,
                                                                const nlohmann::json& last_extra,
                                                                std::size_t max_length) {
  std::vector<std::string> out;
  std::string body;
  body.reserve(one_body_room(message));
  switch (write_one_body(body, message, last_extra, std::max<std::size_t>(max_length, 1))) {
    case one_body::written:
      out.push_back(std::move(body));
      return out;
    case one_body::empty:
      return out;
    case one_body::too_long:
      return create_message_bodies_general(message, last_extra, max_length);
  }
  return out;
}

std::vector<std::string> message_payload::create_message_bodies_general(
    const outbound_message& message, const nlohmann::json& last_extra, std::size_t max_length) {
  // Written as text directly: a document built only to be serialised cost more than the
  // rendering itself, on every reply.
  const auto parts = parts_of(message, max_length);
  std::vector<std::string> out;
  out.reserve(parts.size());
  for (std::size_t i = 0; i < parts.size(); ++i) {
    std::string body;
    body.reserve(parts[i].content.size() + 160);
    body += R"({"content":)";
    append_json_string(body, parts[i].content);
    body += R"(,"allowed_mentions":)";
    append_allowed_mentions(body, parts[i].mentioned);
    append_body_end(body, message, i, parts.size(), last_extra);
    out.push_back(std::move(body));
  }
  return out;
}

std::vector<nlohmann::json> message_payload::interaction_messages(const outbound_message& message,
                                                                  std::size_t max_length) {
  std::vector<json> out;
  for (const auto& part : parts_of(message, max_length))
    out.push_back(
        {{"content", part.content}, {"allowed_mentions", json::parse(allowed_mentions(part))}});
  return out;
}

}  // namespace tweetup
