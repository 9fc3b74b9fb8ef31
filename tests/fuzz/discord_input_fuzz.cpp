// libFuzzer target for everything the Discord adapter reads from the network
// (../../shared/design.md §9, "the gateway codec"): the pure code in lib/adapters/discord that
// handles it. zlib_stream_inflater, gateway_codec::decode, parse_interaction (and the core's
// command parser on its text), guild_roles, rest_rate_limiter, slash_command::same_commands and
// scheduled_event::marker_of. Built and run by scripts/fuzz; see tests/fuzz/CMakeLists.txt.
//
// Input framing: byte 0 chooses the mode, (byte & 7) % 5, so seeds that start with the digits
// '0' to '4' are in modes 0 to 4. The rest of the input is the mode's payload:
//
//   0  gateway text. The payload split at LF (JSON text never holds a raw LF) gives the text
//      messages of one connection, each decoded by gateway_codec and routed as the adapter
//      routes it: INTERACTION_CREATE's `d` to parse_interaction, GUILD_* dispatches to
//      guild_roles, MESSAGE_CREATE's guild, author and roles to guild_roles::moderates.
//   1  zlib-stream, compressed here. Bytes 1-3 are h0 h1 h2, the rest is split at LF into
//      messages as in mode 0 (empty ones skipped: Discord sends none). The messages are
//      compressed as Discord does (one deflate stream, Z_SYNC_FLUSH after each), each one's
//      compressed bytes cut into frames, fed to one inflater, and what comes out goes on as in
//      mode 0. h0 % 10 is the deflate level; h0 bit 4 makes the inflater's limit 64 bytes
//      (else its default); h1 is the frame size (0: one frame per message); h2, if not 0,
//      flips bits in one compressed byte, at offset h2 - 1 modulo the stream's size.
//   2  zlib-stream frames as they are. Byte 1 is h0, the rest is frames, each one length byte
//      then that many bytes (the last one takes what is left). With h0 bit 0 set, the first
//      frame is compressed here (a real zlib header and message) before being fed, so the raw
//      frames after it continue a live stream; h0 bit 1 makes the limit 64 bytes. Every frame
//      is also decoded as gateway text as it is, and every inflated message routed as above.
//   3  REST responses, one after another, to one rate limiter. Each is 3 control bytes c0 c1 c2
//      (any values), then text up to a NUL or the end: the status in decimal (up to 4 digits),
//      the rest of that line ignored, then header lines "Name: value" up to an empty line, then
//      the body. c0 % 8 picks the route (routes() below); c1 bits 0-2 are the attempt, bit 3
//      skips on_sent before it, bit 4 makes it a transport error instead, bit 5 first sends one
//      more request on the route that stays in flight; the fake clock moves c2^3 ms forward
//      before it.
//   4  one JSON document as it is: an interaction, each guild dispatch's `d` (GUILD_CREATE,
//      GUILD_ROLE_CREATE, GUILD_ROLE_UPDATE, GUILD_ROLE_DELETE, GUILD_UPDATE, GUILD_DELETE, in
//      that order, moderates checked after each), a registered command list and a scheduled
//      event.
//
// Invariants (a violation calls __builtin_trap, which libFuzzer reports as a crash):
// - inflater: mode 1 gives back exactly the messages compressed (too_large for those over the
//   limit, and the next ones still exact), incomplete for every frame before a message's last,
//   unless a cut happens to follow 00 00 FF FF inside a message or a byte was flipped; a
//   corrupt answer is followed by corrupt answers only; no text is over the limit; after
//   reset() a fresh stream inflates exactly;
// - codec: a decoded dispatch has a t, s is never negative, Hello's interval is positive,
//   READY has a session id and a resume URL, INTERACTION_CREATE's and GUILD_*'s `d` are JSON
//   objects again, and other dispatches keep no `d`; a MESSAGE_CREATE's fields are those a
//   parsed document of the frame holds; an error always has a detail;
// - interaction: the name is from its fixed set; text is empty for other interactions, else
//   starts with the prefix, holds no control character (C0, DEL, C1, U+2028, U+2029; so no CR,
//   LF or NUL), is valid UTF-8, and the core's parser reads it as a command;
// - guild_roles: moderates() answers what a model written here from the header's contract
//   answers, and guilds() counts the same guilds;
// - rate limiter: a verdict is never before `now`, and its reason never holds the route's
//   token (unless the body did); wait_until() is later than the instant asked about whenever
//   it says wait (asked for every route at `now`, and for the route at its verdict's instant),
//   and is time_point::max() for a refused route; invalid_requests() stays under its cap;
//   and once every reset and retention has passed, one response leaves at most one bucket
//   entry;
// - same_commands: answers the same both ways round, is true for an equal payload, and only
//   for an array of the wanted size; marker_of gives a "tweetup:" suffix of the description
//   with no space or LF.
#include <zlib.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "adapters/discord/gateway_codec.hpp"
#include "adapters/discord/gateway_event.hpp"
#include "adapters/discord/guild_roles.hpp"
#include "adapters/discord/interaction.hpp"
#include "adapters/discord/rest_rate_limiter.hpp"
#include "adapters/discord/rest_response_view.hpp"
#include "adapters/discord/rest_route.hpp"
#include "adapters/discord/rest_verdict.hpp"
#include "adapters/discord/scheduled_event.hpp"
#include "adapters/discord/slash_command.hpp"
#include "adapters/discord/zlib_stream_inflater.hpp"
#include "core/command_parser.hpp"
#include "fuzz_oracle.hpp"

namespace {

using json = nlohmann::json;
using tweetup::fuzz::check;
using tweetup::fuzz::valid_utf8;

constexpr std::string_view prefix = "!";
constexpr std::size_t small_limit = 64;
constexpr std::string_view flush_marker("\x00\x00\xFF\xFF", 4);
// The interaction and webhook token in the routes: a verdict's reason must never show it.
constexpr std::string_view route_token = "aW50ZXJhY3Rpb24";

std::vector<std::string_view> split(std::string_view text, char at) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = text.find(at, start);
    if (end == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

// --- guild_roles, and a model of it written from its header ---------------------------------

std::optional<std::uint64_t> decimal_u64(const std::string& text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

const std::string* string_at(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
}

class roles_model {
 public:
  void apply(std::string_view name, std::string_view raw) {
    const json d = json::parse(raw, nullptr, false);
    if (!d.is_object()) return;
    if (name == "GUILD_CREATE" || name == "GUILD_UPDATE") {
      const std::string* id = string_at(d, "id");
      if (id == nullptr) return;
      guild g;
      if (const std::string* owner = string_at(d, "owner_id")) g.owner = *owner;
      const auto roles = d.find("roles");
      if (roles != d.end() && roles->is_array()) {
        for (const json& role : *roles)
          set_role(g, role);
      }
      guilds_[*id] = std::move(g);
    } else if (name == "GUILD_DELETE") {
      const std::string* id = string_at(d, "id");
      const auto unavailable = d.find("unavailable");
      const bool outage = unavailable != d.end() && *unavailable == json(true);
      if (id != nullptr && !outage) guilds_.erase(*id);
    } else if (name == "GUILD_ROLE_CREATE" || name == "GUILD_ROLE_UPDATE") {
      const std::string* guild_id = string_at(d, "guild_id");
      const auto role = d.find("role");
      if (guild_id == nullptr || role == d.end()) return;
      if (const auto g = guilds_.find(*guild_id); g != guilds_.end()) set_role(g->second, *role);
    } else if (name == "GUILD_ROLE_DELETE") {
      const std::string* guild_id = string_at(d, "guild_id");
      const std::string* role_id = string_at(d, "role_id");
      if (guild_id == nullptr || role_id == nullptr) return;
      if (const auto g = guilds_.find(*guild_id); g != guilds_.end())
        g->second.roles.erase(*role_id);
    }
  }

  bool moderates(const std::string& guild_id, const std::string& user_id,
                 const std::vector<std::string>& role_ids) const {
    const auto g = guilds_.find(guild_id);
    if (g == guilds_.end()) return false;
    if (!g->second.owner.empty() && g->second.owner == user_id) return true;
    std::uint64_t bits = 0;
    const auto add = [&](const std::string& role_id) {
      if (const auto r = g->second.roles.find(role_id); r != g->second.roles.end())
        bits |= r->second;
    };
    add(guild_id);  // @everyone
    for (const std::string& role_id : role_ids)
      add(role_id);
    constexpr std::uint64_t wanted = (1ull << 3) | (1ull << 5) | (1ull << 33);
    return (bits & wanted) != 0;
  }

  std::size_t guilds() const { return guilds_.size(); }

 private:
  struct guild {
    std::string owner;
    std::map<std::string, std::uint64_t> roles;
  };

  static void set_role(guild& g, const json& role) {
    const std::string* id = string_at(role, "id");
    const std::string* permissions = string_at(role, "permissions");
    if (id == nullptr || permissions == nullptr) return;
    if (const auto bits = decimal_u64(*permissions)) g.roles[*id] = *bits;
  }

  std::map<std::string, guild> guilds_;
};

struct roles_pair {
  tweetup::guild_roles real;
  roles_model model;

  void dispatch(std::string_view name, std::string_view raw) {
    real.on_dispatch(name, raw);
    model.apply(name, raw);
    check(real.guilds() == model.guilds());
  }
  void check_moderates(const std::string& guild_id, const std::string& user_id,
                       const std::vector<std::string>& role_ids) const {
    check(real.moderates(guild_id, user_id, role_ids) ==
          model.moderates(guild_id, user_id, role_ids));
  }
};

// Every id-looking string in a guild or role dispatch, as guild, user and role candidates.
void check_moderates_from(const roles_pair& roles, const json& d) {
  std::vector<std::string> ids;
  const auto take = [&](const json& object, const char* key) {
    if (const std::string* s = string_at(object, key)) ids.push_back(*s);
  };
  take(d, "id");
  take(d, "guild_id");
  take(d, "owner_id");
  take(d, "role_id");
  if (d.is_object()) {
    if (const auto role = d.find("role"); role != d.end()) take(*role, "id");
    if (const auto list = d.find("roles"); list != d.end() && list->is_array()) {
      for (std::size_t i = 0; i < list->size() && i < 8; ++i)
        take((*list)[i], "id");
    }
  }
  if (ids.size() > 8) ids.resize(8);
  const std::vector<std::string> none;
  for (const std::string& guild_id : ids) {
    for (const std::string& user_id : ids) {
      roles.check_moderates(guild_id, user_id, none);
      roles.check_moderates(guild_id, user_id, ids);
    }
    for (const std::string& role_id : ids)
      roles.check_moderates(guild_id, "0", {role_id});
  }
}

// --- interactions ----------------------------------------------------------------------------

bool has_control(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F) return true;
    const auto next = [&](std::size_t k) {
      return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0u;
    };
    if (c == 0xC2 && next(1) >= 0x80 && next(1) <= 0x9F) return true;
    if (c == 0xE2 && next(1) == 0x80 && (next(2) == 0xA8 || next(2) == 0xA9)) return true;
  }
  return false;
}

bool is_known_name(const std::string& name) {
  static const std::set<std::string> names = {
      "tweetup create", "tweetup list",      "tweetup join",   "tweetup maybe", "tweetup leave",
      "tweetup info",   "tweetup move",      "tweetup place",  "tweetup limit", "tweetup cancel",
      "tweetup tz",     "tweetup reminders", "tweetup status", "tweetup help",  "tweetup other",
      "command other",  "button yes",        "button maybe",   "button no",     "button other",
      "other"};
  return names.count(name) > 0;
}

void check_interaction(std::string_view raw) {
  const auto parsed = tweetup::parse_interaction(raw, prefix);
  if (!parsed) return;
  const tweetup::interaction& i = *parsed;
  check(is_known_name(i.name));
  if (i.kind == tweetup::interaction::type::other) {
    check(i.text.empty() && i.name == "other");
    return;
  }
  check(!i.user.id.empty());
  if (i.text.empty()) return;
  check(i.text.starts_with(prefix));
  check(!has_control(i.text));
  check(valid_utf8(i.text));
  // The text is fed to the core as if typed: it must read as one of our commands.
  const auto command = tweetup::parse_command(i.text, prefix);
  check(command.has_value());
  if (const auto* error = std::get_if<tweetup::command_error>(&*command)) {
    check(!error->name.empty() && !error->message.empty());
  }
}

// --- the gateway codec, and routing what it decodes -------------------------------------------

bool is_json_object(std::string_view text) {
  const json parsed = json::parse(text, nullptr, false);
  return parsed.is_object();
}

std::optional<std::string> document_string(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

// The codec reads a frame in one SAX pass that keeps only the fields it returns; a document of
// the same text must agree on each of them (the last of duplicated keys wins in both, and keys
// nested deeper, in referenced_message or mentions[], are not the message's).
void check_message_as_document(std::string_view text,
                               const tweetup::gateway_event::message_create& message) {
  const json root = json::parse(text, nullptr, false);
  const auto d = root.find("d");
  check(d != root.end() && d->is_object());
  check(document_string(*d, "id") == message.id);
  check(document_string(*d, "channel_id") == message.channel_id);
  check(document_string(*d, "content") == message.content);
  check(document_string(*d, "guild_id") == message.guild_id);
  const auto author = d->find("author");
  check(author != d->end() && author->is_object());
  check(document_string(*author, "id") == message.author.id);
  check(document_string(*author, "username") == message.author.username);
  check(document_string(*author, "global_name") == message.author.global_name);
  const auto bot = author->find("bot");
  check(message.author.bot == (bot != author->end() && bot->is_boolean() && bot->get<bool>()));
  const auto member = d->find("member");
  check(message.member.has_value() == (member != d->end() && member->is_object()));
  if (!message.member) return;
  std::vector<std::string> roles;
  if (const auto listed = member->find("roles"); listed != member->end()) {
    for (const json& role : *listed)
      roles.push_back(role.get<std::string>());
  }
  check(message.member->roles == roles);
  check(document_string(*member, "permissions") == message.member->permissions);
}

void route_message(std::string_view text, roles_pair& roles) {
  const auto decoded = tweetup::gateway_codec::decode(text);
  if (const auto* error = std::get_if<tweetup::gateway_codec::error>(&decoded)) {
    check(!error->detail.empty());
    check(error->what != tweetup::gateway_codec::error::kind::too_large);
    return;
  }
  const auto& event = std::get<tweetup::gateway_event>(decoded);
  check(event.op >= 0);
  if (event.s) check(*event.s >= 0);
  if (event.op == 0) check(event.t.has_value());
  using ev = tweetup::gateway_event;
  if (const auto* hello = std::get_if<ev::hello>(&event.data)) {
    check(event.op == 10 && hello->heartbeat_interval.count() > 0);
  } else if (const auto* ready = std::get_if<ev::ready>(&event.data)) {
    check(!ready->session_id.empty() && !ready->resume_gateway_url.empty());
  } else if (const auto* interaction = std::get_if<ev::interaction_create>(&event.data)) {
    check(event.t == "INTERACTION_CREATE");
    check(is_json_object(interaction->raw));
    check_interaction(interaction->raw);
  } else if (const auto* other = std::get_if<ev::other_dispatch>(&event.data)) {
    if (!event.t->starts_with("GUILD_")) {
      check(other->raw.empty());
      return;
    }
    if (other->raw.empty()) return;
    check(is_json_object(other->raw));
    roles.dispatch(*event.t, other->raw);
    check_moderates_from(roles, json::parse(other->raw, nullptr, false));
  } else if (const auto* message = std::get_if<ev::message_create>(&event.data)) {
    check_message_as_document(text, *message);
    if (message->guild_id) {
      const std::vector<std::string> none;
      const auto& role_ids = message->member ? message->member->roles : none;
      roles.check_moderates(*message->guild_id, message->author.id, role_ids);
    }
  }
}

// --- zlib-stream ------------------------------------------------------------------------------

// The server's side: one deflate stream per connection, flushed after each message (G16).
class deflater {
 public:
  explicit deflater(int level) {
    ok_ = deflateInit(&stream_, level) == Z_OK;
    check(ok_);
  }
  ~deflater() {
    if (ok_) deflateEnd(&stream_);
  }
  deflater(const deflater&) = delete;
  deflater& operator=(const deflater&) = delete;

  std::string message(std::string_view text) {
    std::string out;
    stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    stream_.avail_in = static_cast<uInt>(text.size());
    std::array<unsigned char, 4096> chunk;
    do {
      stream_.next_out = chunk.data();
      stream_.avail_out = static_cast<uInt>(chunk.size());
      check(deflate(&stream_, Z_SYNC_FLUSH) == Z_OK);
      out.append(reinterpret_cast<const char*>(chunk.data()), chunk.size() - stream_.avail_out);
    } while (stream_.avail_out == 0);
    check(out.size() >= 4 && std::string_view(out).substr(out.size() - 4) == flush_marker);
    return out;
  }

 private:
  z_stream stream_{};
  bool ok_ = false;
};

using inflater = tweetup::zlib_stream_inflater;

bool is_corrupt(const inflater::result& r) {
  const auto* e = std::get_if<inflater::error>(&r);
  return e != nullptr && e->what == inflater::error::kind::corrupt;
}

bool is_too_large(const inflater::result& r) {
  const auto* e = std::get_if<inflater::error>(&r);
  return e != nullptr && e->what == inflater::error::kind::too_large;
}

// Feeds one frame, checks what every answer must satisfy, and routes a finished message.
class inflater_run {
 public:
  explicit inflater_run(std::size_t limit) : inflater_(limit), limit_(limit) {}

  inflater::result feed(std::string_view frame, roles_pair& roles) {
    fed_.append(frame);
    if (fed_.size() > 4) fed_.erase(0, fed_.size() - 4);
    auto result = inflater_.feed(frame);
    if (broken_) check(is_corrupt(result));
    if (is_corrupt(result)) broken_ = true;
    if (const auto* e = std::get_if<inflater::error>(&result)) check(!e->detail.empty());
    if (const auto* text = std::get_if<std::string>(&result)) {
      check(text->size() <= limit_);
      route_message(*text, roles);
    }
    return result;
  }

  // The compressed bytes fed so far end in the flush marker.
  bool at_marker() const { return fed_ == flush_marker; }

  // After reset() the inflater is as new: a fresh stream inflates exactly.
  void check_reset() {
    inflater_.reset();
    broken_ = false;
    const std::string text = R"({"op":11})";
    deflater fresh(Z_DEFAULT_COMPRESSION);
    const auto result = inflater_.feed(fresh.message(text));
    const auto* out = std::get_if<std::string>(&result);
    check(out != nullptr && *out == text);
  }

 private:
  inflater inflater_;
  std::size_t limit_;
  bool broken_ = false;
  std::string fed_;
};

void run_compressed(std::string_view payload, roles_pair& roles) {
  std::array<std::uint8_t, 3> h{};
  for (std::size_t i = 0; i < h.size() && i < payload.size(); ++i)
    h[i] = static_cast<std::uint8_t>(payload[i]);
  payload.remove_prefix(std::min(payload.size(), h.size()));
  const std::size_t limit = (h[0] & 0x10u) != 0 ? small_limit : inflater::default_max_message_bytes;
  const std::size_t frame_size = h[1];

  std::vector<std::string_view> messages;
  for (const std::string_view message : split(payload, '\n')) {
    if (!message.empty()) messages.push_back(message);
  }
  deflater server(h[0] % 10);
  std::vector<std::string> compressed;
  std::size_t total = 0;
  for (const std::string_view message : messages) {
    compressed.push_back(server.message(message));
    total += compressed.back().size();
  }
  bool exact = true;
  if (h[2] != 0 && total > 0) {
    std::size_t at = (h[2] - 1u) % total;
    for (std::string& bytes : compressed) {
      if (at < bytes.size()) {
        bytes[at] = static_cast<char>(bytes[at] ^ h[2]);
        break;
      }
      at -= bytes.size();
    }
    exact = false;
  }

  inflater_run run(limit);
  for (std::size_t m = 0; m < messages.size(); ++m) {
    std::string_view bytes = compressed[m];
    while (!bytes.empty()) {
      const std::size_t size = frame_size == 0 ? bytes.size() : std::min(frame_size, bytes.size());
      const auto result = run.feed(bytes.substr(0, size), roles);
      bytes.remove_prefix(size);
      if (!bytes.empty()) {
        // A cut right after 00 00 FF FF inside a message looks like its end (L8): Discord's
        // framing never does that, and what follows is out of step with this oracle.
        if (run.at_marker()) exact = false;
        if (exact) check(std::holds_alternative<inflater::incomplete>(result));
        continue;
      }
      if (!exact) continue;
      if (messages[m].size() > limit) {
        check(is_too_large(result));
      } else {
        const auto* text = std::get_if<std::string>(&result);
        check(text != nullptr && *text == messages[m]);
      }
    }
  }
  run.check_reset();
}

void run_raw_frames(std::string_view payload, roles_pair& roles) {
  const std::uint8_t h0 = payload.empty() ? 0 : static_cast<std::uint8_t>(payload[0]);
  payload.remove_prefix(std::min<std::size_t>(payload.size(), 1));
  const std::size_t limit = (h0 & 2u) != 0 ? small_limit : inflater::default_max_message_bytes;

  inflater_run run(limit);
  deflater server(Z_DEFAULT_COMPRESSION);
  bool first = true;
  while (!payload.empty()) {
    const std::size_t size =
        std::min<std::size_t>(static_cast<std::uint8_t>(payload[0]), payload.size() - 1);
    const std::string_view frame = payload.substr(1, size);
    payload.remove_prefix(1 + size);
    route_message(frame, roles);
    if (first && (h0 & 1u) != 0) {
      const auto result = run.feed(server.message(frame), roles);
      if (frame.size() > limit) {
        check(is_too_large(result));
      } else {
        const auto* text = std::get_if<std::string>(&result);
        check(text != nullptr && *text == frame);
      }
    } else {
      run.feed(frame, roles);
    }
    first = false;
  }
  run.check_reset();
}

// --- REST responses ---------------------------------------------------------------------------

const std::vector<tweetup::rest_route>& routes() {
  static const std::vector<tweetup::rest_route> all = [] {
    const std::string token(route_token);
    std::vector<tweetup::rest_route> r;
    r.push_back(tweetup::make_route("POST", "/channels/1200000000000000004/messages"));
    r.push_back(
        tweetup::make_route("PATCH", "/channels/1200000000000000004/messages/1600000000000000007"));
    r.push_back(tweetup::make_route("POST", "/channels/1200000000000000009/messages"));
    r.push_back(
        tweetup::make_route("POST", "/interactions/1400000000000000001/" + token + "/callback"));
    r.push_back(tweetup::make_route(
        "PATCH", "/webhooks/1100000000000000002/" + token + "/messages/@original"));
    r.push_back(tweetup::make_route("PUT", "/applications/1100000000000000002/commands"));
    r.push_back(tweetup::make_route("GET", "/guilds/1000000000000000003/scheduled-events"));
    r.push_back(tweetup::make_route("DELETE",
                                    "/channels/1200000000000000004/messages/1600000000000000008"));
    return r;
  }();
  return all;
}

void check_waits(const tweetup::rest_rate_limiter& limiter,
                 tweetup::rest_rate_limiter::time_point now) {
  for (const auto& route : routes()) {
    const auto until = limiter.wait_until(route, now);
    if (until) check(*until > now);
    if (limiter.refused(route)) check(until == tweetup::rest_rate_limiter::time_point::max());
  }
}

void run_rest(std::string_view payload) {
  using time_point = tweetup::rest_rate_limiter::time_point;
  using std::chrono::milliseconds;
  const tweetup::rest_rate_limiter::settings settings;
  tweetup::rest_rate_limiter limiter(settings);
  time_point now = time_point{} + std::chrono::hours(24);

  while (!payload.empty()) {
    // The control bytes may be anything, NUL included; the response's text ends at a NUL.
    std::array<std::uint8_t, 3> c{};
    for (std::size_t i = 0; i < c.size() && i < payload.size(); ++i)
      c[i] = static_cast<std::uint8_t>(payload[i]);
    payload.remove_prefix(std::min(payload.size(), c.size()));
    const std::size_t end_of_text = payload.find('\0');
    std::string_view rest = payload.substr(0, end_of_text);
    payload.remove_prefix(end_of_text == std::string_view::npos ? payload.size() : end_of_text + 1);
    const auto& route = routes()[c[0] % routes().size()];
    const int attempt = c[1] & 7;
    now += milliseconds(std::int64_t{c[2]} * c[2] * c[2]);

    int status = 0;
    for (int digits = 0; digits < 4 && !rest.empty() && rest[0] >= '0' && rest[0] <= '9';
         ++digits) {
      status = status * 10 + (rest[0] - '0');
      rest.remove_prefix(1);
    }
    const std::size_t line_end = rest.find('\n');
    rest.remove_prefix(line_end == std::string_view::npos ? rest.size() : line_end + 1);

    tweetup::rest_response_view response;
    response.status = status;
    while (!rest.empty()) {
      const std::size_t end = rest.find('\n');
      const std::string_view line = rest.substr(0, end);
      rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
      if (line.empty()) break;
      const std::size_t colon = line.find(':');
      std::string_view value =
          colon == std::string_view::npos ? std::string_view{} : line.substr(colon + 1);
      if (value.starts_with(' ')) value.remove_prefix(1);
      response.headers.emplace_back(line.substr(0, colon), value);
    }
    response.body = rest;

    if ((c[1] & 32u) != 0) limiter.on_sent(route, now);  // another request, still in flight
    if ((c[1] & 8u) == 0) limiter.on_sent(route, now);
    const tweetup::rest_verdict verdict = (c[1] & 16u) != 0
                                              ? limiter.on_transport_error(route, attempt, now)
                                              : limiter.on_response(route, response, attempt, now);
    check(verdict.at >= now);
    // Every verdict but a success says why, for the log.
    const bool success = (c[1] & 16u) == 0 && response.status >= 200 && response.status < 300;
    check(verdict.reason.empty() == success);
    if (response.body.find(route_token) == std::string_view::npos) {
      check(verdict.reason.find(route_token) == std::string::npos);
    }
    check(limiter.invalid_requests(now) <= 20000);
    check_waits(limiter, now);
    const auto later = limiter.wait_until(route, verdict.at);
    check(!later || *later > verdict.at);
  }

  // Past every reset (clamped to a day), retention and sweep interval, one response sweeps
  // everything but its own entry.
  now += std::chrono::hours(24) + settings.idle_retention + settings.dead_webhook_retention +
         settings.sweep_interval + std::chrono::seconds(1);
  tweetup::rest_response_view ok;
  ok.status = 200;
  limiter.on_response(routes()[0], ok, 0, now);
  check(limiter.tracked_buckets() <= 1);
  check_waits(limiter, now);
}

// --- one JSON document ------------------------------------------------------------------------

void check_marker(const json& event) {
  const auto marker = tweetup::scheduled_event::marker_of(event);
  if (!marker) return;
  check(marker->starts_with("tweetup:"));
  check(marker->find_first_of(" \n") == std::string::npos);
  const std::string* description = string_at(event, "description");
  check(description != nullptr && description->ends_with(*marker));
}

void run_json(std::string_view payload, roles_pair& roles) {
  check_interaction(payload);

  const json d = json::parse(payload, nullptr, false);
  for (const char* name : {"GUILD_CREATE", "GUILD_ROLE_CREATE", "GUILD_ROLE_UPDATE",
                           "GUILD_ROLE_DELETE", "GUILD_UPDATE", "GUILD_DELETE"}) {
    roles.dispatch(name, payload);
    check_moderates_from(roles, d);
  }

  static const json wanted = tweetup::slash_command::commands_payload();
  const bool same = tweetup::slash_command::same_commands(d, wanted);
  check(same == tweetup::slash_command::same_commands(wanted, d));
  if (same) check(d.is_array() && d.size() == wanted.size());
  if (d == wanted) check(same);

  check_marker(d);
  check_marker(json{{"description", std::string(payload)}});
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  // The wanted payload is always the same as itself, also after a round trip through text.
  const json wanted = tweetup::slash_command::commands_payload();
  check(tweetup::slash_command::same_commands(wanted, wanted));
  check(tweetup::slash_command::same_commands(json::parse(wanted.dump()), wanted));
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string_view payload = input.substr(1);
  roles_pair roles;
  switch ((data[0] & 7u) % 5) {
    case 0:
      for (const std::string_view message : split(payload, '\n'))
        route_message(message, roles);
      break;
    case 1:
      run_compressed(payload, roles);
      break;
    case 2:
      run_raw_frames(payload, roles);
      break;
    case 3:
      run_rest(payload);
      break;
    default:
      run_json(payload, roles);
      break;
  }
  return 0;
}
