#include "adapters/discord/gateway_codec.hpp"

#include <limits>
#include <utility>

#include <nlohmann/json.hpp>

namespace tweetup {

namespace {

using json = nlohmann::json;
using error = gateway_codec::error;
using kind = gateway_codec::error::kind;

// Discord's payloads nest a handful of levels. Refusing deeper input before parsing keeps a
// hostile or corrupt frame from costing deep recursion anywhere later (dump, fuzzing).
constexpr int max_depth = 64;

bool nested_too_deep(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) return true;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return false;
}

const json* member(const json& object, const char* key) {
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::optional<std::string> string_member(const json& object, const char* key) {
  const json* value = member(object, key);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return value->get<std::string>();
}

// Integers only: a float or a value beyond int64 is not a sequence number or an interval.
std::optional<std::int64_t> integer_value(const json& value) {
  if (value.is_number_unsigned()) {
    const auto u = value.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return std::nullopt;
    }
    return static_cast<std::int64_t>(u);
  }
  if (value.is_number_integer()) return value.get<std::int64_t>();
  return std::nullopt;
}

error bad_data(std::string detail) {
  return error{kind::bad_data, std::move(detail)};
}

gateway_codec::decoded decode_hello(gateway_event event, const json* d) {
  const json* interval =
      d != nullptr && d->is_object() ? member(*d, "heartbeat_interval") : nullptr;
  const auto ms = interval != nullptr ? integer_value(*interval) : std::nullopt;
  if (!ms || *ms <= 0) return bad_data("Hello without a positive integer d.heartbeat_interval");
  event.data = gateway_event::hello{std::chrono::milliseconds(*ms)};
  return event;
}

gateway_codec::decoded decode_ready(gateway_event event, const json& d) {
  gateway_event::ready ready;
  auto session_id = string_member(d, "session_id");
  auto resume_url = string_member(d, "resume_gateway_url");
  const json* user = member(d, "user");
  const json* application = member(d, "application");
  auto user_id = user != nullptr && user->is_object() ? string_member(*user, "id") : std::nullopt;
  auto application_id = application != nullptr && application->is_object()
                            ? string_member(*application, "id")
                            : std::nullopt;
  // Without session_id and resume_gateway_url the session could never resume (G8, G9).
  if (!session_id || session_id->empty()) return bad_data("READY without d.session_id");
  if (!resume_url || resume_url->empty()) return bad_data("READY without d.resume_gateway_url");
  if (!user_id) return bad_data("READY without d.user.id");
  if (!application_id) return bad_data("READY without d.application.id");
  ready.session_id = std::move(*session_id);
  ready.resume_gateway_url = std::move(*resume_url);
  ready.user_id = std::move(*user_id);
  ready.application_id = std::move(*application_id);
  event.data = std::move(ready);
  return event;
}

gateway_codec::decoded decode_message_create(gateway_event event, const json& d) {
  gateway_event::message_create message;
  auto id = string_member(d, "id");
  auto channel_id = string_member(d, "channel_id");
  auto content = string_member(d, "content");
  const json* author = member(d, "author");
  if (!id || !channel_id) return bad_data("MESSAGE_CREATE without id or channel_id");
  if (!content) return bad_data("MESSAGE_CREATE without a string content");
  if (author == nullptr || !author->is_object()) return bad_data("MESSAGE_CREATE without author");
  auto author_id = string_member(*author, "id");
  auto username = string_member(*author, "username");
  if (!author_id || !username) return bad_data("MESSAGE_CREATE author without id or username");
  message.id = std::move(*id);
  message.channel_id = std::move(*channel_id);
  message.content = std::move(*content);
  message.guild_id = string_member(d, "guild_id");
  message.author.id = std::move(*author_id);
  message.author.username = std::move(*username);
  // global_name is documented as ?string: null for users who never set a display name.
  message.author.global_name = string_member(*author, "global_name");
  if (const json* bot = member(*author, "bot"); bot != nullptr && bot->is_boolean()) {
    message.author.bot = bot->get<bool>();
  }
  if (const json* m = member(d, "member"); m != nullptr && m->is_object()) {
    gateway_event::message_member member_info;
    if (const json* roles = member(*m, "roles"); roles != nullptr) {
      if (!roles->is_array()) return bad_data("MESSAGE_CREATE member.roles is not an array");
      for (const json& role : *roles) {
        if (!role.is_string()) return bad_data("MESSAGE_CREATE member.roles holds a non-string");
        member_info.roles.push_back(role.get<std::string>());
      }
    }
    member_info.permissions = string_member(*m, "permissions");
    message.member = std::move(member_info);
  }
  event.data = std::move(message);
  return event;
}

std::string dump(const json& payload) {
  // A token or name with invalid UTF-8 would make a plain dump() throw (type_error 316).
  return payload.dump(-1, ' ', false, json::error_handler_t::replace);
}

gateway_codec::decoded decode_dispatch(gateway_event event, const json* d) {
  if (!event.t) return error{kind::bad_envelope, "dispatch (op 0) without a string t"};
  const std::string& name = *event.t;
  if (name == "RESUMED") {
    event.data = gateway_event::resumed{};
    return event;
  }
  if (name != "READY" && name != "MESSAGE_CREATE" && name != "INTERACTION_CREATE") {
    gateway_event::other_dispatch other;
    // Guild and role events feed the permission cache; the rest need nothing of `d`.
    if (name.rfind("GUILD_", 0) == 0 && d != nullptr && d->is_object()) other.raw = dump(*d);
    event.data = std::move(other);
    return event;
  }
  if (d == nullptr || !d->is_object()) return bad_data(name + " without an object d");
  if (name == "READY") return decode_ready(std::move(event), *d);
  if (name == "MESSAGE_CREATE") return decode_message_create(std::move(event), *d);
  // UTF-8 was validated by the parser, so replace never triggers; it only rules out a throw.
  event.data =
      gateway_event::interaction_create{d->dump(-1, ' ', false, json::error_handler_t::replace)};
  return event;
}

gateway_codec::encoded checked(std::string text, const char* what) {
  if (text.size() > gateway_codec::max_payload_bytes) {
    return error{kind::too_large, std::string(what) + " payload is " + std::to_string(text.size()) +
                                      " bytes; the gateway allows 4096 (G3)"};
  }
  return text;
}

}  // namespace

gateway_codec::decoded gateway_codec::decode(std::string_view text) {
  if (nested_too_deep(text)) return error{kind::not_json, "frame nested too deeply"};
  const json root = json::parse(text, nullptr, false);
  if (root.is_discarded()) return error{kind::not_json, "frame is not valid JSON"};
  if (!root.is_object()) return error{kind::not_json, "frame is not a JSON object"};

  gateway_event event;
  const json* op = member(root, "op");
  const auto op_value = op != nullptr ? integer_value(*op) : std::nullopt;
  if (!op_value || *op_value < 0 || *op_value > std::numeric_limits<int>::max()) {
    return error{kind::bad_envelope, "frame without an integer op"};
  }
  event.op = static_cast<int>(*op_value);
  if (const json* s = member(root, "s"); s != nullptr && !s->is_null()) {
    event.s = integer_value(*s);
    if (!event.s || *event.s < 0) return error{kind::bad_envelope, "s is not a sequence number"};
  }
  if (const json* t = member(root, "t"); t != nullptr && !t->is_null()) {
    if (!t->is_string()) return error{kind::bad_envelope, "t is not a string"};
    event.t = t->get<std::string>();
  }
  const json* d = member(root, "d");

  switch (event.op) {
    case 0:
      return decode_dispatch(std::move(event), d);
    case 1:
      event.data = gateway_event::heartbeat_request{};
      return event;
    case 7:
      event.data = gateway_event::reconnect{};
      return event;
    case 9:
      // d is documented as a boolean. Anything else is read as false: re-identifying is the
      // reading that cannot get stuck on a session the server has dropped (G10).
      event.data =
          gateway_event::invalid_session{d != nullptr && d->is_boolean() && d->get<bool>()};
      return event;
    case 10:
      return decode_hello(std::move(event), d);
    case 11:
      event.data = gateway_event::heartbeat_ack{};
      return event;
    default:
      event.data = gateway_event::unknown_op{};
      return event;
  }
}

gateway_codec::encoded gateway_codec::encode_identify(std::string_view token, std::uint32_t intents,
                                                      const connection_properties& properties,
                                                      std::optional<shard> shard_info) {
  // G6: the non-$ property names; `$os` and friends are deprecated.
  json d = {
      {"token", token},
      {"intents", intents},
      {"properties",
       {{"os", properties.os}, {"browser", properties.browser}, {"device", properties.device}}}};
  if (shard_info) d["shard"] = json::array({shard_info->id, shard_info->count});
  return checked(dump(json{{"op", 2}, {"d", std::move(d)}}), "Identify");
}

gateway_codec::encoded gateway_codec::encode_resume(std::string_view token,
                                                    std::string_view session_id, std::int64_t seq) {
  const json payload = {{"op", 6},
                        {"d", {{"token", token}, {"session_id", session_id}, {"seq", seq}}}};
  return checked(dump(payload), "Resume");
}

gateway_codec::encoded gateway_codec::encode_heartbeat(std::optional<std::int64_t> last_sequence) {
  json payload = {{"op", 1}, {"d", nullptr}};
  if (last_sequence) payload["d"] = *last_sequence;
  return checked(dump(payload), "Heartbeat");
}

}  // namespace tweetup
