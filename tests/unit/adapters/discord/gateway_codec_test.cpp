// Table tests of the gateway codec on payloads written to the Discord docs
// (developers/events/gateway-events.mdx) and shaped like what the gateway really sends
// (s and t present as null, `_trace`, undocumented READY fields).
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <string>
#include <variant>

#include "adapters/discord/gateway_close_policy.hpp"
#include "adapters/discord/gateway_codec.hpp"

namespace tweetup {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

const char* const hello_frame =
    R"({"t":null,"s":null,"op":10,"d":{"heartbeat_interval":41250,"_trace":["[\"gateway-prd-us-east1-b-0568\",{\"micros\":0.0}]"]}})";

const char* const ready_frame =
    R"({"t":"READY","s":1,"op":0,"d":{"v":10,"user_settings":{},"user":{"verified":true,)"
    R"("username":"tweetup","mfa_enabled":false,"id":"1100000000000000001","global_name":null,)"
    R"("flags":0,"email":null,"discriminator":"0000","bot":true,"avatar":null},)"
    R"("session_type":"normal","session_id":"9f3c2a1b7e6d5c4b3a291807f6e5d4c3",)"
    R"("resume_gateway_url":"wss://gateway-us-east1-b.discord.gg","relationships":[],)"
    R"("private_channels":[],"presences":[],"guilds":[{"unavailable":true,"id":"1200000000000000002"}],)"
    R"("guild_join_requests":[],"geo_ordered_rtc_regions":["us-east","us-central"],"auth":{},)"
    R"("application":{"id":"1100000000000000001","flags":565248},"_trace":["[\"gateway-prd\"]"]}})";

const char* const message_frame =
    R"({"t":"MESSAGE_CREATE","s":7,"op":0,"d":{"type":0,"tts":false,"timestamp":"2026-11-28T18:04:11.123000+00:00",)"
    R"("pinned":false,"nonce":"1311776423455678464","mentions":[],"mention_roles":[],)"
    R"("mention_everyone":false,"member":{"roles":["1200000000000000100","1200000000000000101"],)"
    R"("premium_since":null,"pending":false,"nick":null,"mute":false,"joined_at":"2025-01-02T10:00:00.000000+00:00",)"
    R"("flags":0,"deaf":false,"communication_disabled_until":null,"avatar":null},)"
    R"("id":"1311776425000000000","flags":0,"embeds":[],"edited_timestamp":null,)"
    R"("content":"!tweetup Starbucks Alabaster 3pm","components":[],"channel_id":"1200000000000000003",)"
    R"("author":{"username":"alice","public_flags":0,"id":"1300000000000000004","global_name":"Alice A.",)"
    R"("discriminator":"0","avatar":null},"attachments":[],"guild_id":"1200000000000000002"}})";

const char* const dm_frame =
    R"({"t":"MESSAGE_CREATE","s":8,"op":0,"d":{"type":0,"id":"1311776425000000001",)"
    R"("content":"!tweetup list","channel_id":"1200000000000000009",)"
    R"("author":{"username":"otherbot","id":"1300000000000000005","global_name":null,"bot":true}}})";

const char* const interaction_frame =
    R"({"t":"INTERACTION_CREATE","s":9,"op":0,"d":{"type":2,"token":"aW50ZXJhY3Rpb24","id":"1311776425000000002",)"
    R"("application_id":"1100000000000000001","guild_id":"1200000000000000002",)"
    R"("data":{"type":1,"name":"tweetup","id":"1311000000000000000","options":[{"type":1,"name":"list"}]},)"
    R"("member":{"roles":[],"permissions":"2248473465835073","user":{"username":"alice","id":"1300000000000000004"}}}})";

gateway_event decoded_ok(const std::string& text) {
  auto result = gateway_codec::decode(text);
  if (auto* problem = std::get_if<gateway_codec::error>(&result)) {
    FAIL("unexpected decode error: " << problem->detail);
  }
  return std::get<gateway_event>(std::move(result));
}

json encoded_ok(gateway_codec::encoded result) {
  if (auto* problem = std::get_if<gateway_codec::error>(&result)) {
    FAIL("unexpected encode error: " << problem->detail);
  }
  return json::parse(std::get<std::string>(result));
}

TEST_CASE("decode: Hello gives the heartbeat interval in milliseconds") {
  const auto event = decoded_ok(hello_frame);
  CHECK(event.op == 10);
  CHECK_FALSE(event.s);
  CHECK_FALSE(event.t);
  const auto* hello = std::get_if<gateway_event::hello>(&event.data);
  REQUIRE(hello != nullptr);
  CHECK(hello->heartbeat_interval == 41250ms);
  // The docs' own example.
  const auto doc = decoded_ok(R"({"op":10,"d":{"heartbeat_interval":45000}})");
  CHECK(std::get<gateway_event::hello>(doc.data).heartbeat_interval == 45000ms);
}

TEST_CASE("decode: READY gives session, resume URL, user and application ids") {
  const auto event = decoded_ok(ready_frame);
  CHECK(event.op == 0);
  CHECK(event.s == 1);
  CHECK(event.t == "READY");
  const auto* ready = std::get_if<gateway_event::ready>(&event.data);
  REQUIRE(ready != nullptr);
  CHECK(ready->session_id == "9f3c2a1b7e6d5c4b3a291807f6e5d4c3");
  CHECK(ready->resume_gateway_url == "wss://gateway-us-east1-b.discord.gg");
  CHECK(ready->user_id == "1100000000000000001");
  CHECK(ready->application_id == "1100000000000000001");
}

TEST_CASE("decode: RESUMED") {
  const auto event = decoded_ok(R"({"t":"RESUMED","s":12,"op":0,"d":{"_trace":["x"]}})");
  CHECK(std::holds_alternative<gateway_event::resumed>(event.data));
  CHECK(event.s == 12);
}

TEST_CASE("decode: MESSAGE_CREATE in a guild, with member roles") {
  const auto event = decoded_ok(message_frame);
  CHECK(event.s == 7);
  const auto* message = std::get_if<gateway_event::message_create>(&event.data);
  REQUIRE(message != nullptr);
  CHECK(message->id == "1311776425000000000");
  CHECK(message->channel_id == "1200000000000000003");
  CHECK(message->guild_id == "1200000000000000002");
  CHECK(message->content == "!tweetup Starbucks Alabaster 3pm");
  CHECK(message->author.id == "1300000000000000004");
  CHECK(message->author.username == "alice");
  CHECK(message->author.global_name == "Alice A.");
  CHECK_FALSE(message->author.bot);
  REQUIRE(message->member);
  CHECK(message->member->roles ==
        std::vector<std::string>{"1200000000000000100", "1200000000000000101"});
  CHECK_FALSE(message->member->permissions);
}

TEST_CASE("decode: MESSAGE_CREATE in a DM from a bot with no display name") {
  const auto event = decoded_ok(dm_frame);
  const auto& message = std::get<gateway_event::message_create>(event.data);
  CHECK_FALSE(message.guild_id);
  CHECK_FALSE(message.member);
  CHECK_FALSE(message.author.global_name);
  CHECK(message.author.bot);
}

TEST_CASE("decode: MESSAGE_CREATE without MESSAGE_CONTENT has an empty content, not an error") {
  const auto event = decoded_ok(
      R"({"t":"MESSAGE_CREATE","s":3,"op":0,"d":{"id":"1","channel_id":"2","content":"",)"
      R"("author":{"id":"3","username":"bob"}}})");
  CHECK(std::get<gateway_event::message_create>(event.data).content.empty());
}

TEST_CASE("decode: INTERACTION_CREATE keeps d as JSON text") {
  const auto event = decoded_ok(interaction_frame);
  const auto* interaction = std::get_if<gateway_event::interaction_create>(&event.data);
  REQUIRE(interaction != nullptr);
  const auto raw = json::parse(interaction->raw);
  CHECK(raw["id"] == "1311776425000000002");
  CHECK(raw["token"] == "aW50ZXJhY3Rpb24");
  CHECK(raw["member"]["permissions"] == "2248473465835073");
  CHECK(raw["data"]["options"][0]["name"] == "list");
}

TEST_CASE("decode: other dispatches keep their name and sequence") {
  const auto event =
      decoded_ok(R"({"t":"GUILD_CREATE","s":2,"op":0,"d":{"id":"1200000000000000002"}})");
  const auto* other = std::get_if<gateway_event::other_dispatch>(&event.data);
  REQUIRE(other != nullptr);
  CHECK(event.t == "GUILD_CREATE");
  CHECK(event.s == 2);
  // Guild events keep `d` for the permission cache; the others drop it.
  CHECK(json::parse(other->raw)["id"] == "1200000000000000002");
  const auto typing = decoded_ok(R"({"t":"TYPING_START","s":3,"op":0,"d":{"channel_id":"1"}})");
  CHECK(std::get<gateway_event::other_dispatch>(typing.data).raw.empty());
}

TEST_CASE("decode: opcodes without a body") {
  const auto is = [](const char* frame, int op, auto type) {
    CAPTURE(frame);
    const auto event = decoded_ok(frame);
    CHECK(event.op == op);
    CHECK(std::holds_alternative<decltype(type)>(event.data));
  };
  is(R"({"t":null,"s":null,"op":1,"d":null})", 1, gateway_event::heartbeat_request{});
  is(R"({"op":1,"d":251})", 1, gateway_event::heartbeat_request{});
  is(R"({"t":null,"s":null,"op":11,"d":null})", 11, gateway_event::heartbeat_ack{});
  is(R"({"t":null,"s":null,"op":7,"d":null})", 7, gateway_event::reconnect{});
  is(R"({"op":7,"d":null})", 7, gateway_event::reconnect{});
  is(R"({"t":null,"s":null,"op":12,"d":{}})", 12, gateway_event::unknown_op{});
}

TEST_CASE("decode: Invalid Session carries whether the session may be resumed") {
  CHECK(std::get<gateway_event::invalid_session>(
            decoded_ok(R"({"t":null,"s":null,"op":9,"d":true})").data)
            .resumable);
  CHECK_FALSE(std::get<gateway_event::invalid_session>(
                  decoded_ok(R"({"t":null,"s":null,"op":9,"d":false})").data)
                  .resumable);
  // A d that is not a boolean is read as false: re-identifying cannot get stuck.
  CHECK_FALSE(std::get<gateway_event::invalid_session>(decoded_ok(R"({"op":9})").data).resumable);
  CHECK_FALSE(
      std::get<gateway_event::invalid_session>(decoded_ok(R"({"op":9,"d":1})").data).resumable);
}

TEST_CASE("decode: malformed frames give an error value of the right kind") {
  using kind = gateway_codec::error::kind;
  struct row {
    std::string frame;
    kind expected;
  };
  const std::vector<row> rows{
      {"", kind::not_json},
      {"hello", kind::not_json},
      {R"({"op":10,"d":{"heartbeat_interval":4)", kind::not_json},
      {"[]", kind::not_json},
      {"42", kind::not_json},
      {"null", kind::not_json},
      {"{\"op\":0,\"t\":\"\xff\xfe\"}", kind::not_json},  // invalid UTF-8
      {std::string(100000, '[') + std::string(100000, ']'), kind::not_json},
      {std::string(65, '[') + std::string(65, ']'), kind::not_json},
      {R"({"d":{}})", kind::bad_envelope},
      {R"({"op":"10","d":{"heartbeat_interval":45000}})", kind::bad_envelope},
      {R"({"op":1.5})", kind::bad_envelope},
      {R"({"op":-1})", kind::bad_envelope},
      {R"({"op":99999999999})", kind::bad_envelope},
      {R"({"op":0,"d":{}})", kind::bad_envelope},
      {R"({"op":0,"t":5,"d":{}})", kind::bad_envelope},
      {R"({"op":0,"t":"X","s":"7","d":{}})", kind::bad_envelope},
      {R"({"op":0,"t":"X","s":-1,"d":{}})", kind::bad_envelope},
      {R"({"op":0,"t":"X","s":18446744073709551615,"d":{}})", kind::bad_envelope},
      {R"({"op":10})", kind::bad_data},
      {R"({"op":10,"d":{}})", kind::bad_data},
      {R"({"op":10,"d":{"heartbeat_interval":0}})", kind::bad_data},
      {R"({"op":10,"d":{"heartbeat_interval":-45000}})", kind::bad_data},
      {R"({"op":10,"d":{"heartbeat_interval":"45000"}})", kind::bad_data},
      {R"({"op":10,"d":{"heartbeat_interval":41250.5}})", kind::bad_data},
      {R"({"op":0,"t":"READY","s":1,"d":null})", kind::bad_data},
      {R"({"op":0,"t":"READY","s":1,"d":{"session_id":"x","user":{"id":"1"},"application":{"id":"1"}}})",
       kind::bad_data},
      {R"({"op":0,"t":"READY","s":1,"d":{"resume_gateway_url":"wss://x","user":{"id":"1"},"application":{"id":"1"}}})",
       kind::bad_data},
      {R"({"op":0,"t":"READY","s":1,"d":{"session_id":"x","resume_gateway_url":"wss://x","application":{"id":"1"}}})",
       kind::bad_data},
      {R"({"op":0,"t":"READY","s":1,"d":{"session_id":"x","resume_gateway_url":"wss://x","user":{"id":"1"}}})",
       kind::bad_data},
      {R"({"op":0,"t":"MESSAGE_CREATE","s":2,"d":{"id":"1"}})", kind::bad_data},
      {R"({"op":0,"t":"MESSAGE_CREATE","s":2,"d":{"id":1,"channel_id":"2","content":"","author":{"id":"3","username":"b"}}})",
       kind::bad_data},
      {R"({"op":0,"t":"MESSAGE_CREATE","s":2,"d":{"id":"1","channel_id":"2","author":{"id":"3","username":"b"}}})",
       kind::bad_data},
      {R"({"op":0,"t":"MESSAGE_CREATE","s":2,"d":{"id":"1","channel_id":"2","content":"","author":"bob"}})",
       kind::bad_data},
      {R"({"op":0,"t":"MESSAGE_CREATE","s":2,"d":{"id":"1","channel_id":"2","content":"","author":{"id":"3"}}})",
       kind::bad_data},
      {R"({"op":0,"t":"MESSAGE_CREATE","s":2,"d":{"id":"1","channel_id":"2","content":"","author":{"id":"3","username":"b"},"member":{"roles":"x"}}})",
       kind::bad_data},
      {R"({"op":0,"t":"MESSAGE_CREATE","s":2,"d":{"id":"1","channel_id":"2","content":"","author":{"id":"3","username":"b"},"member":{"roles":[1]}}})",
       kind::bad_data},
      {R"({"op":0,"t":"INTERACTION_CREATE","s":3,"d":"x"})", kind::bad_data},
  };
  for (const auto& r : rows) {
    CAPTURE(r.frame.substr(0, 120));
    const auto result = gateway_codec::decode(r.frame);
    const auto* problem = std::get_if<gateway_codec::error>(&result);
    REQUIRE(problem != nullptr);
    CHECK(problem->what == r.expected);
    CHECK_FALSE(problem->detail.empty());
  }
}

TEST_CASE("decode: 64 levels of nesting are still accepted") {
  const std::string deep =
      R"({"op":0,"t":"X","s":1,"d":)" + std::string(63, '[') + std::string(63, ']') + "}";
  CHECK(decoded_ok(deep).t == "X");
}

TEST_CASE("encode: Identify with intents 37377 and non-$ properties, no shard unless asked") {
  const auto payload = encoded_ok(gateway_codec::encode_identify("abc.def.ghi", 37377, {}, {}));
  CHECK(payload["op"] == 2);
  CHECK(payload["d"]["token"] == "abc.def.ghi");
  CHECK(payload["d"]["intents"] == 37377);
  CHECK(payload["d"]["properties"] ==
        json{{"os", "linux"}, {"browser", "tweetup"}, {"device", "tweetup"}});
  CHECK_FALSE(payload["d"].contains("shard"));
  CHECK(payload["d"].size() == 3);

  const auto sharded = encoded_ok(gateway_codec::encode_identify(
      "abc", 1, {"freebsd", "tweetup-test", "tweetup-dev"}, gateway_codec::shard{1, 4}));
  CHECK(sharded["d"]["shard"] == json::array({1, 4}));
  CHECK(sharded["d"]["properties"]["os"] == "freebsd");
  CHECK(sharded["d"]["properties"]["device"] == "tweetup-dev");
}

TEST_CASE("encode: Resume and Heartbeat use the documented fields") {
  CHECK(encoded_ok(gateway_codec::encode_resume("tok", "evenmorerandomstring", 1337)) ==
        json::parse(
            R"({"op":6,"d":{"token":"tok","session_id":"evenmorerandomstring","seq":1337}})"));
  CHECK(encoded_ok(gateway_codec::encode_heartbeat(251)) == json::parse(R"({"op":1,"d":251})"));
  CHECK(std::get<std::string>(gateway_codec::encode_heartbeat(std::nullopt)) ==
        R"({"d":null,"op":1})");
}

TEST_CASE("encode: payloads over 4096 bytes are refused (G3)") {
  // {"d":{"intents":1,"properties":{...},"token":"<n>"},"op":2} is 101 bytes plus the token.
  const std::string fixed = std::get<std::string>(gateway_codec::encode_identify("", 1, {}, {}));
  const std::size_t room = gateway_codec::max_payload_bytes - fixed.size();
  const auto fits = gateway_codec::encode_identify(std::string(room, 't'), 1, {}, {});
  REQUIRE(std::holds_alternative<std::string>(fits));
  CHECK(std::get<std::string>(fits).size() == 4096);

  const auto too_big = gateway_codec::encode_identify(std::string(room + 1, 't'), 1, {}, {});
  const auto* problem = std::get_if<gateway_codec::error>(&too_big);
  REQUIRE(problem != nullptr);
  CHECK(problem->what == gateway_codec::error::kind::too_large);
  CHECK(problem->detail.find("4097") != std::string::npos);

  CHECK(std::holds_alternative<gateway_codec::error>(
      gateway_codec::encode_resume("tok", std::string(5000, 's'), 1)));
}

TEST_CASE("encode: a token with invalid UTF-8 does not throw") {
  const auto result = gateway_codec::encode_identify("bad\xff", 1, {}, {});
  CHECK(std::holds_alternative<std::string>(result));
}

TEST_CASE("close codes: every code in the table has its action (G12)") {
  using step = gateway_close_policy::step;
  struct row {
    std::optional<std::uint16_t> code;
    step expected;
  };
  const row rows[] = {
      {std::nullopt, step::resume}, {1000, step::resume},      {1001, step::resume},
      {1006, step::resume},         {4000, step::resume},      {4001, step::resume},
      {4002, step::resume},         {4003, step::new_session}, {4004, step::fatal},
      {4005, step::new_session},    {4007, step::new_session}, {4008, step::resume},
      {4009, step::new_session},    {4010, step::fatal},       {4011, step::fatal},
      {4012, step::fatal},          {4013, step::fatal},       {4014, step::fatal},
      {4006, step::resume},         {1011, step::resume},
  };
  for (const auto& r : rows) {
    CAPTURE(r.code.value_or(0));
    const auto policy = gateway_close_policy::of(r.code);
    CHECK(policy.next == r.expected);
    CHECK_FALSE(policy.reason.empty());
  }
  CHECK(gateway_close_policy::of(4014).reason.find("MESSAGE_CONTENT") != std::string::npos);
  CHECK(gateway_close_policy::of(4014).reason.find("Developer Portal") != std::string::npos);
  CHECK(gateway_close_policy::of(4004).reason.find("token") != std::string::npos);
  CHECK(gateway_close_policy::of(4013).reason.find("intents") != std::string::npos);
}

}  // namespace
}  // namespace tweetup
