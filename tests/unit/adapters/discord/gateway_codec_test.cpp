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

// The decoder reads the frame in one SAX pass (gateway_frame_fields) rather than as a document.
// The cases below are what that makes newly possible to get wrong: key order, duplicated keys,
// look-alike keys nested deeper, and where the depth limit and syntax errors are noticed.

gateway_codec::error decode_error(const std::string& text) {
  auto result = gateway_codec::decode(text);
  if (!std::holds_alternative<gateway_codec::error>(result)) {
    FAIL("decoded what should be an error: " << text.substr(0, 200));
  }
  return std::get<gateway_codec::error>(std::move(result));
}

TEST_CASE("decode: t, s and op may follow d") {
  const auto message = decoded_ok(
      R"({"d":{"id":"1","channel_id":"2","content":"hi","author":{"id":"3","username":"bob"}},)"
      R"("s":5,"t":"MESSAGE_CREATE","op":0})");
  CHECK(message.s == 5);
  CHECK(std::get<gateway_event::message_create>(message.data).content == "hi");

  const auto ready =
      decoded_ok(R"({"d":{"session_id":"s1","resume_gateway_url":"wss://r","user":{"id":"u1"},)"
                 R"("application":{"id":"a1"}},"op":0,"s":1,"t":"READY"})");
  CHECK(std::get<gateway_event::ready>(ready.data).application_id == "a1");

  const auto hello = decoded_ok(R"({"d":{"heartbeat_interval":41250},"op":10})");
  CHECK(std::get<gateway_event::hello>(hello.data).heartbeat_interval == 41250ms);

  const auto guild = decoded_ok(R"({"d":{"id":"9","name":"g"},"s":2,"t":"GUILD_CREATE","op":0})");
  CHECK(json::parse(std::get<gateway_event::other_dispatch>(guild.data).raw) ==
        json{{"id", "9"}, {"name", "g"}});
}

TEST_CASE("decode: of duplicated keys the last one wins, as in a parsed document") {
  // Each frame's expectations are also read from nlohmann's document of it, which keeps the
  // last of duplicated keys.
  SUBCASE("envelope") {
    const std::string frame =
        R"({"op":0,"t":"GUILD_CREATE","s":1,"d":{"id":"1","id":"2"},"op":10,"t":null,"s":null,)"
        R"("d":{"heartbeat_interval":1,"heartbeat_interval":45000}})";
    const auto event = decoded_ok(frame);
    CHECK(event.op == 10);
    CHECK_FALSE(event.s);
    CHECK_FALSE(event.t);
    CHECK(std::get<gateway_event::hello>(event.data).heartbeat_interval ==
          std::chrono::milliseconds(json::parse(frame)["d"]["heartbeat_interval"].get<int>()));
  }
  SUBCASE("a second d replaces the first one whole") {
    const std::string frame =
        R"({"op":0,"t":"MESSAGE_CREATE","s":1,"d":{"id":"1","channel_id":"2","content":"first",)"
        R"("guild_id":"7","author":{"id":"3","username":"a","global_name":"A","bot":true},)"
        R"("member":{"roles":["5"],"permissions":"8"}},)"
        R"("d":{"id":"11","channel_id":"12","content":"second","author":{"id":"13","username":"b"}}})";
    const auto event = decoded_ok(frame);
    const auto& message = std::get<gateway_event::message_create>(event.data);
    const auto doc = json::parse(frame)["d"];
    CHECK(message.id == doc["id"]);
    CHECK(message.content == "second");
    CHECK_FALSE(message.guild_id);
    CHECK_FALSE(message.member);
    CHECK(message.author.id == "13");
    CHECK_FALSE(message.author.global_name);
    CHECK_FALSE(message.author.bot);
    // A second d without what the first one had is judged on its own.
    CHECK(
        decode_error(R"({"op":0,"t":"MESSAGE_CREATE","d":{"id":"1","channel_id":"2","content":"",)"
                     R"("author":{"id":"3","username":"a"}},"d":{"id":"1","channel_id":"2",)"
                     R"("content":""}})")
            .detail == "MESSAGE_CREATE without author");
    CHECK(
        decode_error(R"({"op":0,"t":"MESSAGE_CREATE","d":{"id":"1","channel_id":"2","content":"",)"
                     R"("author":{"id":"3","username":"a"}},"d":true})")
            .detail == "MESSAGE_CREATE without an object d");
    // op 9 reads the last d.
    CHECK_FALSE(
        std::get<gateway_event::invalid_session>(decoded_ok(R"({"op":9,"d":true,"d":false})").data)
            .resumable);
    CHECK(std::get<gateway_event::invalid_session>(
              decoded_ok(R"({"op":9,"d":{"x":1},"d":true})").data)
              .resumable);
  }
  SUBCASE("inside d, author and member") {
    const std::string frame =
        R"({"op":0,"t":"MESSAGE_CREATE","d":{"id":"1","id":"21","channel_id":"2","content":"a",)"
        R"("content":"b","author":{"id":"3","username":"a","global_name":"A","bot":true},)"
        R"("author":{"id":"23","username":"c","username":"d"},"member":{"roles":[1],"roles":["6"],)"
        R"("permissions":"8"},"guild_id":"9","guild_id":null}})";
    const auto event = decoded_ok(frame);
    const auto& message = std::get<gateway_event::message_create>(event.data);
    const auto doc = json::parse(frame)["d"];
    CHECK(message.id == doc["id"]);
    CHECK(message.content == doc["content"]);
    CHECK(message.author.id == doc["author"]["id"]);
    CHECK(message.author.username == doc["author"]["username"]);
    CHECK_FALSE(message.author.global_name);
    CHECK_FALSE(message.author.bot);
    CHECK_FALSE(message.guild_id);
    REQUIRE(message.member);
    CHECK(message.member->roles == std::vector<std::string>{"6"});
    CHECK(message.member->permissions == "8");

    const auto second_member = decoded_ok(
        R"({"op":0,"t":"MESSAGE_CREATE","d":{"id":"1","channel_id":"2","content":"",)"
        R"("author":{"id":"3","username":"a"},"member":{"roles":["5"],"permissions":"8"},)"
        R"("member":{"nick":null}}})");
    const auto& member = std::get<gateway_event::message_create>(second_member.data).member;
    REQUIRE(member);
    CHECK(member->roles.empty());
    CHECK_FALSE(member->permissions);
  }
  SUBCASE("a later value of the wrong type fails as it would alone") {
    const std::string base =
        R"({"op":0,"t":"MESSAGE_CREATE","d":{"id":"1","channel_id":"2","author":{"id":"3","username":"a"},)";
    CHECK(decode_error(base + R"("content":"x","content":5}})").detail ==
          "MESSAGE_CREATE without a string content");
    CHECK(decode_error(base + R"("content":"","member":{"roles":["5"],"roles":"5"}}})").detail ==
          "MESSAGE_CREATE member.roles is not an array");
    CHECK(
        decode_error(base + R"("content":"","member":{"roles":["5"],"roles":["5",{}]}}})").detail ==
        "MESSAGE_CREATE member.roles holds a non-string");
    CHECK(decode_error(R"({"op":0,"s":1,"s":1.0,"t":"X","d":{}})").detail ==
          "s is not a sequence number");
    CHECK(decode_error(R"({"op":0,"s":1,"t":"X","t":["X"],"d":{}})").detail == "t is not a string");
    CHECK(decode_error(R"({"op":1,"op":{"op":1}})").detail == "frame without an integer op");
  }
}

TEST_CASE("decode: look-alike keys nested deeper in d do not replace the top-level ones") {
  // Nested ids, authors, contents, members and even envelope keys come after the real ones, so
  // that a decoder that took any key at any depth would end with the wrong values.
  const std::string frame =
      R"({"t":"MESSAGE_CREATE","s":40,"op":0,"d":{"id":"100","channel_id":"200","content":"!tweetup list",)"
      R"("guild_id":"300","author":{"id":"400","username":"alice","global_name":null,)"
      R"("primary_guild":{"id":"999","identity_guild_id":"998","username":"x","bot":true},)"
      R"("avatar_decoration_data":{"sku_id":"1","asset":"a"},"clan":null},)"
      R"("member":{"roles":["500"],"user":{"roles":[1,{"a":[]}],"permissions":"0"},"nick":"al"},)"
      R"("mentions":[{"id":"901","username":"bob","bot":true,"member":{"roles":"not-a-list",)"
      R"("permissions":"1"}},{"id":"902","username":"carol","global_name":"C"}],)"
      R"("mention_roles":["501"],"embeds":[{"title":"t","fields":[{"name":"op","value":"d"},)"
      R"({"name":"content","value":"x","inline":false}],"author":{"name":"embed author","id":"903"},)"
      R"("footer":{"text":"f"},"thumbnail":{"url":"https://x","width":80,"height":80}}],)"
      R"("referenced_message":{"id":"904","channel_id":"905","content":"the older message",)"
      R"("guild_id":"906","author":{"id":"907","username":"dave","bot":true,"global_name":"D"},)"
      R"("member":{"roles":[7]},"mentions":[{"id":"908"}],"embeds":[],"op":11,"t":"READY","s":1,)"
      R"("d":{"heartbeat_interval":1}},"message_snapshots":[{"message":{"content":"snap","id":"909",)"
      R"("author":{"id":"910","username":"erin"}}}],"interaction_metadata":{"id":"911",)"
      R"("user":{"id":"912","username":"frank"}},"components":[[[[]]]],"attachments":[],)"
      R"("nonce":1311776423455678464,"type":19,"flags":0,"tts":false,"pinned":false}})";
  const auto event = decoded_ok(frame);
  CHECK(event.op == 0);
  CHECK(event.s == 40);
  CHECK(event.t == "MESSAGE_CREATE");
  const auto& message = std::get<gateway_event::message_create>(event.data);
  CHECK(message.id == "100");
  CHECK(message.channel_id == "200");
  CHECK(message.content == "!tweetup list");
  CHECK(message.guild_id == "300");
  CHECK(message.author.id == "400");
  CHECK(message.author.username == "alice");
  CHECK_FALSE(message.author.global_name);
  CHECK_FALSE(message.author.bot);
  REQUIRE(message.member);
  CHECK(message.member->roles == std::vector<std::string>{"500"});
  CHECK_FALSE(message.member->permissions);

  // The same with the nested copies first.
  const auto ready = decoded_ok(
      R"({"op":0,"t":"READY","s":1,"d":{"guilds":[{"id":"1","user":{"id":"bad"}}],)"
      R"("relationships":[{"user":{"id":"bad"},"session_id":"bad"}],"application":{"id":"a",)"
      R"("owner":{"id":"bad"}},"user":{"team":{"id":"bad"},"id":"u"},"session_id":"s",)"
      R"("resume_gateway_url":"wss://r","auth":{"session_id":"bad","resume_gateway_url":"bad"}}})");
  const auto& r = std::get<gateway_event::ready>(ready.data);
  CHECK(r.session_id == "s");
  CHECK(r.resume_gateway_url == "wss://r");
  CHECK(r.user_id == "u");
  CHECK(r.application_id == "a");
  // A nested id does not stand in for a missing top-level one.
  CHECK(decode_error(R"({"op":0,"t":"READY","s":1,"d":{"session_id":"s","resume_gateway_url":"r",)"
                     R"("user":{"team":{"id":"bad"}},"application":{"id":"a"}}})")
            .detail == "READY without d.user.id");
  CHECK(decode_error(R"({"op":0,"t":"MESSAGE_CREATE","d":{"channel_id":"2","content":"",)"
                     R"("author":{"id":"3","username":"a"},"referenced_message":{"id":"1"}}})")
            .detail == "MESSAGE_CREATE without id or channel_id");
  CHECK(decode_error(R"({"op":10,"d":{"x":{"heartbeat_interval":45000}}})").detail ==
        "Hello without a positive integer d.heartbeat_interval");
}

TEST_CASE("decode: 64 levels of nesting are accepted anywhere, 65 are refused") {
  const auto nested = [](int arrays) {
    return std::string(arrays, '[') + std::string(arrays, ']');
  };
  // The root object is level 1, d level 2.
  CHECK(decoded_ok(R"({"op":0,"t":"X","d":)" + nested(63) + "}").t == "X");
  CHECK(decode_error(R"({"op":0,"t":"X","d":)" + nested(64) + "}").detail ==
        "frame nested too deeply");
  std::string objects = "1";
  for (int level = 0; level < 63; ++level)
    objects = R"({"a":)" + objects + "}";
  CHECK(decoded_ok(R"({"op":0,"t":"X","d":)" + objects + "}").t == "X");
  CHECK(decode_error(R"({"op":0,"t":"X","d":{"a":)" + objects + "}}").detail ==
        "frame nested too deeply");
  // In a member the decoder skips, of a MESSAGE_CREATE that is otherwise fine.
  const std::string message =
      R"({"op":0,"t":"MESSAGE_CREATE","d":{"id":"1","channel_id":"2","content":"",)"
      R"("author":{"id":"3","username":"a"},"embeds":)";
  CHECK(std::holds_alternative<gateway_event::message_create>(
      decoded_ok(message + nested(62) + "}}").data));
  const auto too_deep = decode_error(message + nested(63) + "}}");
  CHECK(too_deep.what == gateway_codec::error::kind::not_json);
  CHECK(too_deep.detail == "frame nested too deeply");
  // The limit is checked as the parse reaches it. A frame that ends too early after crossing it
  // still reports its depth, as the scan of the whole text before parsing did; one with a syntax
  // error before that point now reports the syntax error (the same kind of error as before).
  CHECK(decode_error(std::string(65, '[')).detail == "frame nested too deeply");
  CHECK(decode_error(R"({"op":0,"d":)" + std::string(100, '[')).detail ==
        "frame nested too deeply");
  const auto syntax_first = decode_error(R"({"op":0,"d":{{)" + std::string(100, '['));
  CHECK(syntax_first.what == gateway_codec::error::kind::not_json);
  CHECK(syntax_first.detail == "frame is not valid JSON");
  CHECK(decode_error(std::string(64, '[')).detail == "frame is not valid JSON");
}

TEST_CASE("decode: a root that is not an object") {
  for (const char* frame : {"[]", "[{\"op\":1}]", "42", "-1", "1.5", "\"op\"", "null", "true"}) {
    CAPTURE(frame);
    const auto problem = decode_error(frame);
    CHECK(problem.what == gateway_codec::error::kind::not_json);
    CHECK(problem.detail == "frame is not a JSON object");
  }
}

TEST_CASE("decode: every truncation of a frame, and trailing text, are not JSON") {
  for (const std::string frame : {message_frame, ready_frame, interaction_frame}) {
    for (std::size_t length = 0; length < frame.size(); ++length) {
      CAPTURE(frame.substr(0, length));
      const auto problem = decode_error(frame.substr(0, length));
      CHECK(problem.what == gateway_codec::error::kind::not_json);
      CHECK(problem.detail == "frame is not valid JSON");
    }
    CHECK(decode_error(frame + "}").detail == "frame is not valid JSON");
    CHECK(decode_error(frame + frame).detail == "frame is not valid JSON");
  }
  CHECK(decode_error(R"({"op":1} x)").detail == "frame is not valid JSON");
  CHECK(std::holds_alternative<gateway_event::heartbeat_request>(
      decoded_ok(" \t\r\n{\"op\":1}\n").data));
}

TEST_CASE("decode: invalid UTF-8 in any string is not JSON, escapes are decoded") {
  const std::string before =
      R"({"op":0,"t":"MESSAGE_CREATE","d":{"id":"1","channel_id":"2","author":{"id":"3","username":"a"},)";
  for (const char* bad :
       {"\xff", "\xc0\xaf", "\xed\xa0\x80", "\xe2\x82", "\xf4\x90\x80\x80", "\x80"}) {
    CAPTURE(std::string(bad));
    CHECK(decode_error(before + R"("content":"a)" + bad + R"("}})").detail ==
          "frame is not valid JSON");
    // In a member the decoder skips, and in a key.
    CHECK(decode_error(before + R"("content":"","embeds":[{"title":")" + bad + R"("}]}})").detail ==
          "frame is not valid JSON");
    CHECK(decode_error(before + R"("content":"",")" + bad + R"(":1}})").detail ==
          "frame is not valid JSON");
  }
  // A raw control character and a lone surrogate escape are refused too.
  CHECK(decode_error(before + "\"content\":\"a\nb\"}}").detail == "frame is not valid JSON");
  CHECK(decode_error(before + R"("content":"\ud83d"}})").detail == "frame is not valid JSON");
  const auto event =
      decoded_ok(before + R"("content":"caf\u00e9 \ud83d\ude00 \"q\" \\ / \/ \n café 😀"}})");
  CHECK(std::get<gateway_event::message_create>(event.data).content ==
        "caf\xc3\xa9 \xf0\x9f\x98\x80 \"q\" \\ / / \n caf\xc3\xa9 \xf0\x9f\x98\x80");
}

TEST_CASE("decode: the envelope's numbers keep their type checks") {
  struct row {
    const char* frame;
    const char* detail;
  };
  const row rows[] = {
      {R"({"op":2147483648})", "frame without an integer op"},
      {R"({"op":1e1})", "frame without an integer op"},
      {R"({"op":0,"t":"X","s":7.0,"d":{}})", "s is not a sequence number"},
      {R"({"op":0,"t":"X","s":9223372036854775808,"d":{}})", "s is not a sequence number"},
      {R"({"op":0,"t":"X","s":-9223372036854775808,"d":{}})", "s is not a sequence number"},
      {R"({"op":0,"t":{},"d":{}})", "t is not a string"},
      {R"({"op":10,"d":{"heartbeat_interval":9223372036854775808}})",
       "Hello without a positive integer d.heartbeat_interval"},
      {R"({"op":10,"d":[{"heartbeat_interval":1}]})",
       "Hello without a positive integer d.heartbeat_interval"},
  };
  for (const auto& r : rows) {
    CAPTURE(r.frame);
    CHECK(decode_error(r.frame).detail == r.detail);
  }
  const auto big = decoded_ok(R"({"op":2147483647,"s":9223372036854775807,"t":"X"})");
  CHECK(big.op == 2147483647);
  CHECK(big.s == 9223372036854775807);
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
