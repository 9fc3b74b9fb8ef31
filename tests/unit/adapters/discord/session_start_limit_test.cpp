// The session start limit read from GET /gateway/bot, and the wait it asks for before an
// Identify (protocols.md G14).
#include "adapters/discord/session_start_limit.hpp"

#include <doctest/doctest.h>

using tweetup::session_start_limit;
using namespace std::chrono_literals;

TEST_CASE("session_start_limit: read from Discord's documented answer") {
  const auto limit = session_start_limit::from_gateway_bot(
      R"({"url":"wss://gateway.discord.gg","shards":1,"session_start_limit":)"
      R"({"total":1000,"remaining":997,"reset_after":14399000,"max_concurrency":1}})");
  REQUIRE(limit);
  CHECK(limit->total == 1000);
  CHECK(limit->remaining == 997);
  CHECK(limit->reset_after == 14399000ms);
  CHECK(limit->max_concurrency == 1);
  CHECK(limit->wait_before_identify() == 0ms);
}

TEST_CASE("session_start_limit: none left means waiting out the reset, and a second more") {
  const auto limit = session_start_limit::from_gateway_bot(
      R"({"url":"wss://g","session_start_limit":)"
      R"({"total":1000,"remaining":0,"reset_after":600,"max_concurrency":16}})");
  REQUIRE(limit);
  CHECK(limit->max_concurrency == 16);
  CHECK(limit->wait_before_identify() == 1600ms);
  session_start_limit one_left = *limit;
  one_left.remaining = 1;
  CHECK(one_left.wait_before_identify() == 0ms);
}

TEST_CASE("session_start_limit: a missing or malformed limit is unknown, not zero") {
  for (const char* body : {
           "",
           "not json",
           "[]",
           R"({"url":"wss://g"})",
           R"({"session_start_limit":null})",
           R"({"session_start_limit":{"total":1000,"reset_after":5}})",
           R"({"session_start_limit":{"total":1000,"remaining":"0","reset_after":5}})",
           R"({"session_start_limit":{"total":1000,"remaining":0.5,"reset_after":5}})",
           R"({"session_start_limit":{"total":1000,"remaining":-1,"reset_after":5}})",
           R"({"session_start_limit":{"total":1000,"remaining":0,"reset_after":1e300}})",
           R"({"session_start_limit":{"total":1000,"remaining":0,"reset_after":99999999999}})",
       }) {
    CAPTURE(body);
    CHECK_FALSE(session_start_limit::from_gateway_bot(body));
  }
  // max_concurrency is only a hint here: without it, or with a bad one, 1.
  const auto limit = session_start_limit::from_gateway_bot(
      R"({"session_start_limit":{"total":1000,"remaining":3,"reset_after":5,"max_concurrency":0}})");
  REQUIRE(limit);
  CHECK(limit->max_concurrency == 1);
}

TEST_CASE("recommended_shards: read from GET /gateway/bot") {
  CHECK(tweetup::recommended_shards(R"({"url":"wss://g","shards":9})") == 9);
  CHECK_FALSE(tweetup::recommended_shards(R"({"url":"wss://g"})"));
  CHECK_FALSE(tweetup::recommended_shards(R"({"shards":0})"));
  CHECK_FALSE(tweetup::recommended_shards(R"({"shards":2.5})"));
  CHECK_FALSE(tweetup::recommended_shards(R"({"shards":"2"})"));
  CHECK_FALSE(tweetup::recommended_shards(R"({"shards":99999999999})"));
  CHECK_FALSE(tweetup::recommended_shards("not json"));
}
