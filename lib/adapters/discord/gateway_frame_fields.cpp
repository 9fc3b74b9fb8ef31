#include "adapters/discord/gateway_frame_fields.hpp"

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <utility>

#include "adapters/discord/json_scanner.hpp"

namespace tweetup {

namespace {

using json_type = gateway_frame_fields::json_type;
using field = gateway_frame_fields::field;

// The objects (and the one array) whose members are captured. Every other container is `other`:
// its contents are parsed and checked but kept nowhere, which is what keeps a nested `id`,
// `author` or `content` (referenced_message, mentions[]) from landing in the top-level fields.
enum class container : std::uint8_t { other, root, data, user, application, author, member, roles };

// A key against a literal: the length first, then a memcmp of a constant size, which the compiler
// turns into a load or two and a compare. `k == "..."sv` called memcmp for each literal as long
// as the key, and those calls were a sixth of decode's instructions.
template <std::size_t N>
bool is(std::string_view k, const char (&literal)[N]) {
  return k.size() == N - 1 && std::memcmp(k.data(), literal, N - 1) == 0;
}

// The SAX interface json_scanner calls (nlohmann's json_sax names, but string_view members for
// keys and strings). Each key of a captured container names the field that the next value
// fills; a value with no such key is dropped.
class frame_sax {
 public:
  explicit frame_sax(gateway_frame_fields& out) : out_(out) {}

  bool null() {
    value(json_type::null);
    return true;
  }
  bool boolean(bool v) {
    if (field* f = value(json_type::boolean)) f->boolean = v;
    return true;
  }
  bool number_integer(std::int64_t v) {
    if (field* f = value(json_type::integer)) f->integer = v;
    return true;
  }
  bool number_unsigned(std::uint64_t v) {
    if (field* f = value(json_type::unsigned_integer)) f->unsigned_integer = v;
    return true;
  }
  bool number_float(double, const std::string&) {
    value(json_type::floating);
    return true;
  }
  // `v` points into the frame or the scanner's buffer: the text is copied only when kept.
  bool string_view_value(std::string_view v) {
    if (inside(container::roles)) {
      out_.data.member_role_ids.emplace_back(v);
      return true;
    }
    if (field* f = value(json_type::string)) f->text.assign(v);
    return true;
  }

  bool start_object(std::size_t) {
    container child = container::other;
    if (depth_ == 0) {
      out_.root = json_type::object;
      child = container::root;
    } else if (field* f = value(json_type::object);
               f != nullptr && pending_child_ != container::roles) {
      child = pending_child_;
    }
    return enter(child);
  }
  bool start_array(std::size_t) {
    const bool roles = pending_child_ == container::roles;
    field* f = value(json_type::array);
    return enter(f != nullptr && roles ? container::roles : container::other);
  }
  bool end_object() { return leave(); }
  bool end_array() { return leave(); }

  // A repeated key replaces the whole earlier value, as in a document: the members captured
  // under the earlier one are cleared before the new value is read.
  bool key_view(std::string_view k) {
    pending_ = nullptr;
    pending_child_ = container::other;
    auto& data = out_.data;
    switch (stack_[depth_]) {
      case container::root:
        if (is(k, "op")) return expect(out_.op);
        if (is(k, "s")) return expect(out_.s);
        if (is(k, "t")) return expect(out_.t);
        if (is(k, "d")) {
          if (!out_.d.is(json_type::absent)) data = {};
          return expect(out_.d, container::data);
        }
        return true;
      case container::data:
        return data_key(k);
      case container::user:
        if (is(k, "id")) return expect(data.user_id);
        return true;
      case container::application:
        if (is(k, "id")) return expect(data.application_id);
        return true;
      case container::author:
        if (is(k, "id")) return expect(data.author_id);
        if (is(k, "username")) return expect(data.author_username);
        if (is(k, "global_name")) return expect(data.author_global_name);
        if (is(k, "bot")) return expect(data.author_bot);
        return true;
      case container::member:
        if (is(k, "roles")) {
          if (!data.member_roles.is(json_type::absent)) {
            data.member_role_ids.clear();
            data.member_roles_all_strings = true;
          }
          return expect(data.member_roles, container::roles);
        }
        if (is(k, "permissions")) return expect(data.member_permissions);
        return true;
      case container::roles:
      case container::other:
        return true;
    }
    return true;
  }

 private:
  // The members of `d` the decoders read, most frequent (MESSAGE_CREATE) first.
  bool data_key(std::string_view k) {
    auto& data = out_.data;
    if (is(k, "id")) return expect(data.id);
    if (is(k, "channel_id")) return expect(data.channel_id);
    if (is(k, "content")) return expect(data.content);
    if (is(k, "guild_id")) return expect(data.guild_id);
    if (is(k, "author")) {
      if (!data.author.is(json_type::absent)) {
        data.author_id = {};
        data.author_username = {};
        data.author_global_name = {};
        data.author_bot = {};
      }
      return expect(data.author, container::author);
    }
    if (is(k, "member")) {
      if (!data.member.is(json_type::absent)) {
        data.member_roles = {};
        data.member_role_ids.clear();
        data.member_roles_all_strings = true;
        data.member_permissions = {};
      }
      return expect(data.member, container::member);
    }
    if (is(k, "heartbeat_interval")) return expect(data.heartbeat_interval);
    if (is(k, "session_id")) return expect(data.session_id);
    if (is(k, "resume_gateway_url")) return expect(data.resume_gateway_url);
    if (is(k, "user")) {
      if (!data.user.is(json_type::absent)) data.user_id = {};
      return expect(data.user, container::user);
    }
    if (is(k, "application")) {
      if (!data.application.is(json_type::absent)) data.application_id = {};
      return expect(data.application, container::application);
    }
    return true;
  }

  bool expect(field& f, container child = container::other) {
    pending_ = &f;
    pending_child_ = child;
    return true;
  }

  bool inside(container c) const { return depth_ > 0 && stack_[depth_] == c; }

  // Gives the field the current value belongs to, with its type set, or null when it belongs to
  // none. The value's own contents, if any, come later.
  field* value(json_type type) {
    if (depth_ == 0) {
      out_.root = type;
      return nullptr;
    }
    if (inside(container::roles)) {
      // The strings are taken by string(); anything else makes member.roles invalid.
      out_.data.member_roles_all_strings = false;
      return nullptr;
    }
    field* f = std::exchange(pending_, nullptr);
    if (f != nullptr) f->type = type;
    return f;
  }

  bool enter(container c) {
    pending_child_ = container::other;
    // The scanner refuses to open more than max_depth containers (read() asks it to).
    assert(depth_ < gateway_frame_fields::max_depth);
    stack_[++depth_] = c;
    return true;
  }
  bool leave() {
    --depth_;
    return true;
  }

  gateway_frame_fields& out_;
  // stack_[depth_] is the innermost open container; stack_[0] stands for "outside the root".
  std::array<container, gateway_frame_fields::max_depth + 1> stack_{};
  int depth_ = 0;
  field* pending_ = nullptr;
  container pending_child_ = container::other;
};

}  // namespace

std::optional<std::int64_t> gateway_frame_fields::field::int64() const {
  if (type == json_type::integer) return integer;
  if (type == json_type::unsigned_integer &&
      unsigned_integer <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return static_cast<std::int64_t>(unsigned_integer);
  }
  return std::nullopt;
}

std::optional<std::string> gateway_frame_fields::field::take_string() {
  if (type != json_type::string) return std::nullopt;
  return std::move(text);
}

gateway_frame_fields::outcome gateway_frame_fields::read(std::string_view text) {
  frame_sax sax(*this);
  // Accepts what nlohmann's json::parse accepts, at a fraction of its lexer's cost.
  switch (json_scanner::scan(text, sax, max_depth)) {
    case json_scanner::outcome::ok:
      return outcome::ok;
    case json_scanner::outcome::too_deep:
      return outcome::too_deep;
    case json_scanner::outcome::stopped:  // frame_sax never stops it
    case json_scanner::outcome::not_json:
      break;
  }
  return outcome::not_json;
}

}  // namespace tweetup
