#include <doctest/doctest.h>

#include <string>

#include "adapters/discord/gateway_handover.hpp"

using namespace tweetup;
using namespace std::chrono_literals;

namespace {

const std::chrono::sys_seconds noon{std::chrono::seconds{1796040000}};  // 2026-11-30 12:00 UTC

gateway_handover two_shards() {
  gateway_handover h;
  h.token_tag = gateway_handover::tag_of("MTA5.token.one");
  h.saved_at = noon;
  h.application_id = "1100000000000000001";
  h.shards = {{0, 2, {"sess-a", "wss://gateway-us-east1-b.discord.gg", 41}},
              {1, 2, {"sess-b", "wss://gateway-us-east1-c.discord.gg", 7}}};
  h.guilds = R"([{"id":"100","owner_id":"1","roles":[]}])";
  return h;
}

}  // namespace

TEST_CASE("gateway_handover: the token's tag is stable, short and not the token") {
  const auto tag = gateway_handover::tag_of("MTA5.token.one");
  CHECK(tag.size() == 16);
  CHECK(tag == gateway_handover::tag_of("MTA5.token.one"));
  CHECK(tag != gateway_handover::tag_of("MTA5.token.two"));
  // SHA-256("abc") begins ba7816bf8f01cfea (FIPS 180-2, appendix B.1).
  CHECK(gateway_handover::tag_of("abc") == "ba7816bf8f01cfea");
}

TEST_CASE("gateway_handover: what is encoded decodes the same") {
  const auto h = two_shards();
  const auto back = gateway_handover::decode(h.encode());
  REQUIRE(back);
  CHECK(back->token_tag == h.token_tag);
  CHECK(back->saved_at == noon);
  CHECK(back->application_id == h.application_id);
  CHECK(back->guilds == h.guilds);
  const auto zero = back->session_of(0, 2);
  REQUIRE(zero);
  CHECK(zero->session_id == "sess-a");
  CHECK(zero->resume_url == "wss://gateway-us-east1-b.discord.gg");
  CHECK(zero->sequence == 41);
  CHECK(back->session_of(1, 2)->session_id == "sess-b");
  // Another shard layout is another set of sessions (G15): none of these resume.
  CHECK_FALSE(back->session_of(0, 1));
  CHECK_FALSE(back->session_of(2, 3));
}

TEST_CASE("gateway_handover: used only by the same bot, and only while Discord may keep it") {
  const auto h = two_shards();
  const auto tag = gateway_handover::tag_of("MTA5.token.one");
  CHECK(h.usable(tag, noon));
  CHECK(h.usable(tag, noon + gateway_handover::max_age));
  CHECK_FALSE(h.usable(tag, noon + gateway_handover::max_age + 1s));
  CHECK_FALSE(h.usable(tag, noon - 1s));  // saved "later" than now: the clock moved back
  CHECK_FALSE(h.usable(gateway_handover::tag_of("MTA5.token.two"), noon));
  gateway_handover untagged = h;
  untagged.token_tag.clear();
  CHECK_FALSE(untagged.usable("", noon));
}

TEST_CASE("gateway_handover: anything but a whole handover of this layout is refused") {
  const std::string good = two_shards().encode();
  CHECK(gateway_handover::decode(good));
  for (const char* bad : {
           "",
           "null",
           "[]",
           "{}",
           "not json",
           R"({"v":2,"token_tag":"t","saved_at":1,"application_id":"","shards":[]})",
           R"({"v":1,"token_tag":"t","saved_at":"1","application_id":"","shards":[]})",
           R"({"v":1,"token_tag":"t","saved_at":1,"application_id":"","shards":{}})",
           R"({"v":1,"token_tag":"t","saved_at":1,"application_id":"","shards":[)"
           R"({"id":0,"count":1,"session_id":"","resume_url":"wss://x","seq":1}]})",
           R"({"v":1,"token_tag":"t","saved_at":1,"application_id":"","shards":[)"
           R"({"id":1,"count":1,"session_id":"s","resume_url":"wss://x","seq":1}]})",
           R"({"v":1,"token_tag":"t","saved_at":1,"application_id":"","shards":[)"
           R"({"id":0,"count":1,"session_id":"s","resume_url":"wss://x","seq":-1}]})",
           R"({"v":1,"token_tag":"t","saved_at":1,"application_id":"","shards":[)"
           R"({"id":0,"count":1,"session_id":"s","resume_url":"wss://x"}]})",
       }) {
    CAPTURE(bad);
    CHECK_FALSE(gateway_handover::decode(bad));
  }
  // Without guilds it is still a handover: they are learned again from the replayed events.
  const auto bare = gateway_handover::decode(
      R"({"v":1,"token_tag":"t","saved_at":1,"application_id":"","shards":[)"
      R"({"id":0,"count":1,"session_id":"s","resume_url":"wss://x","seq":0}]})");
  REQUIRE(bare);
  CHECK(bare->guilds.empty());
  CHECK(bare->session_of(0, 1)->sequence == 0);
}
