#include "adapters/discord/gateway_codec.hpp"

#include <cassert>
#include <limits>
#include <utility>

#include <nlohmann/json.hpp>

#include "adapters/discord/gateway_frame_fields.hpp"

namespace tweetup {

namespace {

using json = nlohmann::json;
using error = gateway_codec::error;
using kind = gateway_codec::error::kind;
using json_type = gateway_frame_fields::json_type;
using data_fields = gateway_frame_fields::data_fields;

// The decoders fill the event in place, inside the variant decode() returns: an event with a
// message in it is a dozen strings, and each move through a layer costs as much as a copy of
// the short ones. A nullopt answer means the event is complete.
using problem = std::optional<error>;

error bad_data(std::string detail) {
  return error{kind::bad_data, std::move(detail)};
}

problem decode_hello(gateway_event& event, const gateway_frame_fields& frame) {
  // Integers only: a float or a value beyond int64 is not an interval.
  const auto ms =
      frame.d.is(json_type::object) ? frame.data.heartbeat_interval.int64() : std::nullopt;
  if (!ms || *ms <= 0) return bad_data("Hello without a positive integer d.heartbeat_interval");
  event.data = gateway_event::hello{std::chrono::milliseconds(*ms)};
  return std::nullopt;
}

problem decode_ready(gateway_event& event, data_fields& d) {
  gateway_event::ready ready;
  auto session_id = d.session_id.take_string();
  auto resume_url = d.resume_gateway_url.take_string();
  auto user_id = d.user.is(json_type::object) ? d.user_id.take_string() : std::nullopt;
  auto application_id =
      d.application.is(json_type::object) ? d.application_id.take_string() : std::nullopt;
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
  return std::nullopt;
}

problem decode_message_create(gateway_event& event, data_fields& d) {
  auto id = d.id.take_string();
  auto channel_id = d.channel_id.take_string();
  auto content = d.content.take_string();
  if (!id || !channel_id) return bad_data("MESSAGE_CREATE without id or channel_id");
  if (!content) return bad_data("MESSAGE_CREATE without a string content");
  if (!d.author.is(json_type::object)) return bad_data("MESSAGE_CREATE without author");
  auto author_id = d.author_id.take_string();
  auto username = d.author_username.take_string();
  if (!author_id || !username) return bad_data("MESSAGE_CREATE author without id or username");
  auto& message = event.data.emplace<gateway_event::message_create>();
  message.id = std::move(*id);
  message.channel_id = std::move(*channel_id);
  message.content = std::move(*content);
  message.guild_id = d.guild_id.take_string();
  message.author.id = std::move(*author_id);
  message.author.username = std::move(*username);
  // global_name is documented as ?string: null for users who never set a display name.
  message.author.global_name = d.author_global_name.take_string();
  if (d.author_bot.is(json_type::boolean)) message.author.bot = d.author_bot.boolean;
  if (d.member.is(json_type::object)) {
    auto& member_info = message.member.emplace();
    if (!d.member_roles.is(json_type::absent)) {
      if (!d.member_roles.is(json_type::array)) {
        return bad_data("MESSAGE_CREATE member.roles is not an array");
      }
      if (!d.member_roles_all_strings) {
        return bad_data("MESSAGE_CREATE member.roles holds a non-string");
      }
      member_info.roles = std::move(d.member_role_ids);
    }
    member_info.permissions = d.member_permissions.take_string();
  }
  return std::nullopt;
}

std::string dump(const json& payload) {
  // A token or name with invalid UTF-8 would make a plain dump() throw (type_error 316).
  return payload.dump(-1, ' ', false, json::error_handler_t::replace);
}

// `d` as JSON text, for the dispatches that keep it whole. The fields pass kept no more than the
// decoders read, so this parses the frame a second time into a document; INTERACTION_CREATE and
// GUILD_* are rare next to MESSAGE_CREATE. The first pass has accepted the text (syntax, UTF-8,
// depth) and found `d` to be an object, so this parse cannot fail. As in the first pass, the last
// of duplicated keys wins.
std::string raw_data(std::string_view text) {
  const json root = json::parse(text, nullptr, false);
  const auto d = root.find("d");
  assert(!root.is_discarded() && d != root.end() && d->is_object());
  // UTF-8 was validated by the parser, so replace never triggers; it only rules out a throw.
  return d == root.end() ? std::string() : dump(*d);
}

problem decode_dispatch(gateway_event& event, gateway_frame_fields& frame, std::string_view text) {
  if (!event.t) return error{kind::bad_envelope, "dispatch (op 0) without a string t"};
  // A view: comparing it with a literal checks the length first, and no strlen.
  const std::string_view name = *event.t;
  if (name == "RESUMED") {
    event.data = gateway_event::resumed{};
    return std::nullopt;
  }
  const bool d_is_object = frame.d.is(json_type::object);
  if (name != "READY" && name != "MESSAGE_CREATE" && name != "INTERACTION_CREATE") {
    gateway_event::other_dispatch other;
    // Guild and role events feed the permission cache; the rest need nothing of `d`.
    if (name.rfind("GUILD_", 0) == 0 && d_is_object) other.raw = raw_data(text);
    event.data = std::move(other);
    return std::nullopt;
  }
  if (!d_is_object) return bad_data(std::string(name) + " without an object d");
  if (name == "READY") return decode_ready(event, frame.data);
  if (name == "MESSAGE_CREATE") return decode_message_create(event, frame.data);
  event.data = gateway_event::interaction_create{raw_data(text)};
  return std::nullopt;
}

gateway_codec::encoded checked(std::string text, const char* what) {
  if (text.size() > gateway_codec::max_payload_bytes) {
    return error{kind::too_large, std::string(what) + " payload is " + std::to_string(text.size()) +
                                      " bytes; the gateway allows 4096 (G3)"};
  }
  return text;
}

problem decode_into(gateway_event& event, std::string_view text) {
  gateway_frame_fields frame;
  switch (frame.read(text)) {
    case gateway_frame_fields::outcome::too_deep:
      return error{kind::not_json, "frame nested too deeply"};
    case gateway_frame_fields::outcome::not_json:
      return error{kind::not_json, "frame is not valid JSON"};
    case gateway_frame_fields::outcome::ok:
      break;
  }
  if (frame.root != json_type::object) return error{kind::not_json, "frame is not a JSON object"};

  const auto op_value = frame.op.int64();
  if (!op_value || *op_value < 0 || *op_value > std::numeric_limits<int>::max()) {
    return error{kind::bad_envelope, "frame without an integer op"};
  }
  event.op = static_cast<int>(*op_value);
  if (!frame.s.absent_or_null()) {
    // Integers only: a float or a value beyond int64 is not a sequence number.
    event.s = frame.s.int64();
    if (!event.s || *event.s < 0) return error{kind::bad_envelope, "s is not a sequence number"};
  }
  if (!frame.t.absent_or_null()) {
    if (!frame.t.is(json_type::string)) return error{kind::bad_envelope, "t is not a string"};
    event.t = std::move(frame.t.text);
  }

  switch (event.op) {
    case 0:
      return decode_dispatch(event, frame, text);
    case 1:
      event.data = gateway_event::heartbeat_request{};
      return std::nullopt;
    case 7:
      event.data = gateway_event::reconnect{};
      return std::nullopt;
    case 9:
      // d is documented as a boolean. Anything else is read as false: re-identifying is the
      // reading that cannot get stuck on a session the server has dropped (G10).
      event.data =
          gateway_event::invalid_session{frame.d.is(json_type::boolean) && frame.d.boolean};
      return std::nullopt;
    case 10:
      return decode_hello(event, frame);
    case 11:
      event.data = gateway_event::heartbeat_ack{};
      return std::nullopt;
    default:
      event.data = gateway_event::unknown_op{};
      return std::nullopt;
  }
}

}  // namespace

gateway_codec::decoded gateway_codec::decode(std::string_view text) {
  decoded result;  // a default gateway_event, filled where it will be returned
  if (auto failure = decode_into(std::get<gateway_event>(result), text)) {
    result = std::move(*failure);
  }
  return result;
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
