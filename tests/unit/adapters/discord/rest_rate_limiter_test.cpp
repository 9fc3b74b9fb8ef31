// Scenario tests of the REST rate limiter (protocols.md R8, R11, L13). Time is a steady_clock
// time_point moved by hand; nothing here reads a clock or sleeps.
#include <doctest/doctest.h>

#include <algorithm>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "adapters/discord/rest_rate_limiter.hpp"

namespace tweetup {
namespace {

using namespace std::chrono_literals;
using time_point = rest_rate_limiter::time_point;
using action = rest_verdict::action;

const time_point t0 = time_point{} + 1000h;
constexpr time_point never = time_point::max();

const char* const json_ok = R"({"id":"1"})";

struct limits {
  std::string bucket;
  int limit;
  int remaining;
  std::string reset_after;
};

// A view's header values point into text someone owns; for the values built here, this keeps
// them for the whole test run (a deque: growing it moves no string).
std::string_view kept(std::string text) {
  static std::deque<std::string> texts;
  return texts.emplace_back(std::move(text));
}

rest_response_view response(int status, std::optional<limits> l = std::nullopt,
                            std::string_view body = json_ok, bool via = true) {
  rest_response_view r;
  r.status = status;
  r.body = body;
  if (via) r.headers.emplace_back("Via", "1.1 google");
  if (l) {
    if (!l->bucket.empty()) r.headers.emplace_back("X-RateLimit-Bucket", kept(l->bucket));
    r.headers.emplace_back("X-RateLimit-Limit", kept(std::to_string(l->limit)));
    r.headers.emplace_back("X-RateLimit-Remaining", kept(std::to_string(l->remaining)));
    r.headers.emplace_back("X-RateLimit-Reset-After", kept(l->reset_after));
  }
  return r;
}

// Sends one request and answers it at once.
rest_verdict round_trip(rest_rate_limiter& limiter, const rest_route& route,
                        const rest_response_view& r, time_point now, int attempt = 0) {
  REQUIRE_FALSE(limiter.wait_until(route, now).has_value());
  limiter.on_sent(route, now);
  return limiter.on_response(route, r, attempt, now);
}

const rest_route post_1 = make_route("POST", "/channels/1/messages");
const rest_route post_9 = make_route("POST", "/channels/9/messages");
const rest_route edit_1 = make_route("PATCH", "/channels/1/messages/50");
const rest_route edit_1_other = make_route("PATCH", "/channels/1/messages/51");
const rest_route callback = make_route("POST", "/interactions/70/tok/callback");

TEST_CASE("a bucket is learned from the headers and spent until its reset") {
  rest_rate_limiter limiter;
  const auto v = round_trip(limiter, post_1, response(200, limits{"abc", 5, 4, "2.5"}), t0);
  CHECK(v.what == action::done);
  // Four left in this window; they may all be in flight together.
  for (int i = 0; i < 4; ++i) {
    CHECK_FALSE(limiter.wait_until(post_1, t0).has_value());
    limiter.on_sent(post_1, t0);
  }
  CHECK(limiter.wait_until(post_1, t0) == t0 + 2500ms);
  for (int left = 3; left >= 0; --left) {
    limiter.on_response(post_1, response(200, limits{"abc", 5, left, "2.4"}), 0, t0 + 100ms);
  }
  CHECK(limiter.wait_until(post_1, t0 + 100ms) == t0 + 2500ms);
  CHECK(limiter.wait_until(post_1, t0 + 2499ms) == t0 + 2500ms);
  CHECK_FALSE(limiter.wait_until(post_1, t0 + 2500ms).has_value());
}

TEST_CASE("requests still in flight at the reset count against the new window") {
  rest_rate_limiter limiter;
  round_trip(limiter, post_1, response(200, limits{"abc", 5, 4, "2.5"}), t0);
  for (int i = 0; i < 4; ++i)
    limiter.on_sent(post_1, t0);
  // Five per window, four of them unanswered: one more may go after the reset...
  CHECK_FALSE(limiter.wait_until(post_1, t0 + 2500ms).has_value());
  limiter.on_sent(post_1, t0 + 2500ms);
  // ...and then nothing until an answer tells the new window's reset.
  CHECK(limiter.wait_until(post_1, t0 + 2500ms) == never);
  for (int left = 4; left >= 0; --left) {
    limiter.on_response(post_1, response(200, limits{"abc", 5, left, "1"}), 0, t0 + 2600ms);
  }
  CHECK(limiter.wait_until(post_1, t0 + 2600ms) == t0 + 3600ms);
}

TEST_CASE("a fractional Reset-After is honoured to the millisecond") {
  // "1.001" is 1.000999... as a double: truncating its nanoseconds would wake 1 ns early.
  const std::vector<std::pair<std::string, std::chrono::milliseconds>> cases{
      {"1.234", 1234ms}, {"1.001", 1001ms}, {"0.352", 352ms}, {"59.999", 59999ms}, {"3", 3000ms}};
  for (const auto& [header, after] : cases) {
    CAPTURE(header);
    rest_rate_limiter limiter;
    round_trip(limiter, post_1, response(200, limits{"abc", 5, 0, header}), t0);
    CHECK(limiter.wait_until(post_1, t0) == t0 + after);
    CHECK(limiter.wait_until(post_1, t0 + after - 1ms) == t0 + after);
    CHECK_FALSE(limiter.wait_until(post_1, t0 + after).has_value());
  }
}

TEST_CASE("header names are matched without regard to case") {
  rest_rate_limiter limiter;
  rest_response_view r;
  r.status = 200;
  r.body = json_ok;
  r.headers = {{"via", "1.1 google"},
               {"x-ratelimit-bucket", "abc"},
               {"x-ratelimit-limit", "5"},
               {"X-RATELIMIT-REMAINING", "0"},
               {"x-ratelimit-reset-after", "0.25"}};
  round_trip(limiter, post_1, r, t0);
  CHECK(limiter.wait_until(post_1, t0) == t0 + 250ms);
}

TEST_CASE("routes that share a bucket hash share its limit on the same channel only") {
  rest_rate_limiter limiter;
  round_trip(limiter, post_1, response(200, limits{"shared", 5, 0, "3"}), t0);
  // The edit route's bucket is unknown until its first answer, so one may go...
  round_trip(limiter, edit_1, response(200, limits{"shared", 5, 0, "2.9"}), t0 + 100ms);
  // ...which names the same bucket: both routes now wait for its reset.
  CHECK(limiter.wait_until(post_1, t0 + 100ms) == t0 + 3000ms);
  CHECK(limiter.wait_until(edit_1, t0 + 100ms) == t0 + 3000ms);
  // Another message id on the same channel is the same limit.
  CHECK(limiter.wait_until(edit_1_other, t0 + 100ms) == t0 + 3000ms);
  // Another channel is another limit: its bucket state is unknown, so one may go.
  CHECK_FALSE(limiter.wait_until(post_9, t0 + 100ms).has_value());
}

TEST_CASE("major parameters separate limits: channel 9 is not held by channel 1") {
  rest_rate_limiter limiter;
  round_trip(limiter, post_1, response(200, limits{"abc", 5, 0, "5"}), t0);
  CHECK(limiter.wait_until(post_1, t0) == t0 + 5s);
  // The hash is known for the route, but channel 9's remaining count is not: one at a time.
  CHECK_FALSE(limiter.wait_until(post_9, t0).has_value());
  limiter.on_sent(post_9, t0);
  CHECK(limiter.wait_until(post_9, t0) == never);
  limiter.on_response(post_9, response(200, limits{"abc", 5, 4, "5"}), 0, t0 + 50ms);
  CHECK_FALSE(limiter.wait_until(post_9, t0 + 50ms).has_value());
  CHECK(limiter.wait_until(post_1, t0 + 50ms) == t0 + 5s);
}

TEST_CASE("an unknown bucket gets one request at a time until its first answer") {
  rest_rate_limiter limiter;
  CHECK_FALSE(limiter.wait_until(post_1, t0).has_value());
  limiter.on_sent(post_1, t0);
  // Nineteen more are held: no timer, they wait for the answer.
  CHECK(limiter.wait_until(post_1, t0) == never);
  CHECK(limiter.wait_until(post_1, t0 + 10s) == never);
  limiter.on_response(post_1, response(200, limits{"abc", 20, 19, "1"}), 0, t0 + 100ms);
  int sent = 0;
  while (!limiter.wait_until(post_1, t0 + 100ms) && sent < 100) {
    limiter.on_sent(post_1, t0 + 100ms);
    ++sent;
  }
  CHECK(sent == 19);
  CHECK(limiter.wait_until(post_1, t0 + 100ms) == t0 + 1100ms);
}

TEST_CASE("a lost answer frees the slot through on_transport_error") {
  rest_rate_limiter limiter;
  limiter.on_sent(post_1, t0);
  CHECK(limiter.wait_until(post_1, t0) == never);
  const auto v = limiter.on_transport_error(post_1, 0, t0 + 5s);
  CHECK(v.what == action::retry);
  CHECK(v.at == t0 + 6s);  // (1 + 2 * 0) s
  CHECK_FALSE(limiter.wait_until(post_1, t0 + 6s).has_value());
}

TEST_CASE("a bucket whose new window only saw failures sends again, one request at a time") {
  // Five a window; the window ends, and every request sent after it fails without an answer
  // that tells the next window (a lost connection, a 502 without rate-limit headers).
  for (const bool with_502 : {false, true}) {
    CAPTURE(with_502);
    rest_rate_limiter limiter;
    round_trip(limiter, post_1, response(200, limits{"abc", 5, 4, "5"}), t0);
    time_point now = t0 + 10s;
    for (int attempt = 0; attempt < 5; ++attempt) {
      REQUIRE_FALSE(limiter.wait_until(post_1, now).has_value());
      limiter.on_sent(post_1, now);
      const auto v = with_502 ? limiter.on_response(post_1, response(502), attempt, now)
                              : limiter.on_transport_error(post_1, attempt, now);
      CHECK(v.what == (attempt < 4 ? action::retry : action::give_up));
      now += 10s;
    }
    // The five sends spent the count, and no reset is known to wait for: the next message to
    // the channel still goes, alone, and its answer teaches the window again.
    REQUIRE_FALSE(limiter.wait_until(post_1, now).has_value());
    limiter.on_sent(post_1, now);
    CHECK(limiter.wait_until(post_1, now) == never);
    limiter.on_response(post_1, response(200, limits{"abc", 5, 0, "2"}), 0, now);
    CHECK(limiter.wait_until(post_1, now) == now + 2s);
  }
}

TEST_CASE("a bucket of one request a window survives one lost answer after its reset") {
  rest_rate_limiter limiter;
  round_trip(limiter, edit_1, response(200, limits{"one", 1, 0, "1"}), t0);
  CHECK(limiter.wait_until(edit_1, t0) == t0 + 1s);
  limiter.on_sent(edit_1, t0 + 2s);
  limiter.on_transport_error(edit_1, 0, t0 + 2s);
  CHECK_FALSE(limiter.wait_until(edit_1, t0 + 3s).has_value());
}

TEST_CASE("answers out of order never raise the remaining count within a window") {
  rest_rate_limiter limiter;
  round_trip(limiter, post_1, response(200, limits{"abc", 3, 2, "4"}), t0);
  limiter.on_sent(post_1, t0 + 10ms);
  limiter.on_sent(post_1, t0 + 10ms);
  CHECK(limiter.wait_until(post_1, t0 + 10ms) == t0 + 4s);
  // The second request's answer (0 left) arrives before the first's (1 left).
  limiter.on_response(post_1, response(200, limits{"abc", 3, 0, "3.9"}), 0, t0 + 100ms);
  limiter.on_response(post_1, response(200, limits{"abc", 3, 1, "3.9"}), 0, t0 + 100ms);
  CHECK(limiter.wait_until(post_1, t0 + 100ms) == t0 + 4000ms);
  CHECK_FALSE(limiter.wait_until(post_1, t0 + 4000ms).has_value());
}

TEST_CASE("a route without rate-limit headers is held only by the global limit") {
  rest_rate_limiter limiter;
  round_trip(limiter, post_1, response(200), t0);
  for (int i = 0; i < 10; ++i) {
    CHECK_FALSE(limiter.wait_until(post_1, t0).has_value());
    limiter.on_sent(post_1, t0);
  }
}

TEST_CASE("a 429 gives the exact retry instant from retry_after") {
  rest_rate_limiter limiter;
  const auto v = round_trip(
      limiter, post_1,
      response(429, limits{"abc", 5, 0, "0.65"},
               R"({"message":"You are being rate limited.","retry_after":0.65,"global":false})"),
      t0);
  CHECK(v.what == action::retry);
  CHECK(v.at == t0 + 650ms);
  CHECK(v.reason.find("429") != std::string::npos);
  CHECK(v.rate_limit_scope == "unknown");  // no X-RateLimit-Scope header
  CHECK(limiter.wait_until(post_1, t0 + 649ms) == t0 + 650ms);
  CHECK_FALSE(limiter.wait_until(post_1, t0 + 650ms).has_value());
  // A route limit pauses nothing else.
  CHECK_FALSE(limiter.wait_until(post_9, t0).has_value());
  CHECK(limiter.invalid_requests(t0) == 1);
}

TEST_CASE("a 429 says its scope for the metrics, other statuses say none") {
  rest_rate_limiter limiter;
  auto r = response(429, limits{"abc", 5, 0, "1"}, R"({"retry_after":1.0,"global":false})");
  r.headers.emplace_back("X-RateLimit-Scope", "user");
  CHECK(round_trip(limiter, post_1, r, t0).rate_limit_scope == "user");
  CHECK(round_trip(limiter, post_9, response(200, limits{"def", 5, 4, "1"}), t0)
            .rate_limit_scope.empty());
}

TEST_CASE("a 429 without rate-limit headers still holds its route until retry_after") {
  rest_rate_limiter limiter;
  const auto v = round_trip(
      limiter, post_1, response(429, std::nullopt, R"({"retry_after":1.5,"global":false})"), t0);
  CHECK(v.what == action::retry);
  CHECK(v.at == t0 + 1500ms);
  CHECK(limiter.wait_until(post_1, t0 + 1s) == t0 + 1500ms);
}

TEST_CASE("a global 429 pauses every route that counts toward it, but not interaction callbacks") {
  SUBCASE("global in the body") {
    rest_rate_limiter limiter;
    const auto v = round_trip(
        limiter, post_1, response(429, std::nullopt, R"({"retry_after":0.5,"global":true})"), t0);
    CHECK(v.what == action::retry);
    CHECK(v.at == t0 + 500ms);
    CHECK(v.rate_limit_scope == "global");
    CHECK(limiter.wait_until(post_9, t0 + 100ms) == t0 + 500ms);
    CHECK(limiter.wait_until(edit_1, t0 + 100ms) == t0 + 500ms);
    CHECK_FALSE(limiter.wait_until(callback, t0 + 100ms).has_value());
    CHECK_FALSE(limiter.wait_until(post_9, t0 + 500ms).has_value());
  }
  SUBCASE("global in the X-RateLimit-Global header") {
    rest_rate_limiter limiter;
    auto r = response(429, std::nullopt, R"({"retry_after":2})");
    r.headers.emplace_back("X-RateLimit-Global", "true");
    const auto v = round_trip(limiter, post_1, r, t0);
    CHECK(v.at == t0 + 2s);
    CHECK(limiter.wait_until(post_9, t0) == t0 + 2s);
    CHECK_FALSE(limiter.wait_until(callback, t0).has_value());
  }
}

TEST_CASE("a shared-scope 429 is not counted as an invalid request") {
  rest_rate_limiter limiter;
  auto r = response(429, limits{"abc", 5, 0, "1"}, R"({"retry_after":1.0,"global":false})");
  r.headers.emplace_back("X-RateLimit-Scope", "shared");
  const auto v = round_trip(limiter, post_1, r, t0);
  CHECK(v.what == action::retry);
  CHECK(v.rate_limit_scope == "shared");
  CHECK(v.at == t0 + 1s);
  CHECK(limiter.invalid_requests(t0) == 0);
}

TEST_CASE("a Cloudflare 429 pauses everything for the long back-off and says so") {
  rest_rate_limiter::settings s;
  s.cloudflare_pause = 60s;
  SUBCASE("no Via header") {
    rest_rate_limiter limiter(s);
    const auto v = round_trip(limiter, post_1,
                              response(429, std::nullopt, R"({"retry_after":0.1})", false), t0);
    CHECK(v.what == action::retry);
    CHECK(v.at == t0 + 60s);
    CHECK(v.reason.find("Cloudflare") != std::string::npos);
    CHECK(v.rate_limit_scope == "cloudflare");
    CHECK(limiter.wait_until(post_9, t0 + 1s) == t0 + 60s);
    CHECK(limiter.wait_until(callback, t0 + 1s) == t0 + 60s);
    CHECK_FALSE(limiter.wait_until(callback, t0 + 60s).has_value());
  }
  SUBCASE("an HTML body") {
    rest_rate_limiter limiter(s);
    const auto v = round_trip(limiter, post_1,
                              response(429, std::nullopt, "<html>error code: 1015</html>"), t0);
    CHECK(v.what == action::retry);
    CHECK(v.at == t0 + 60s);
    CHECK(v.reason.find("Cloudflare") != std::string::npos);
  }
  SUBCASE("the last attempt gives up") {
    rest_rate_limiter limiter(s);
    const auto v =
        round_trip(limiter, post_1, response(429, std::nullopt, "blocked", false), t0, 4);
    CHECK(v.what == action::give_up);
  }
}

TEST_CASE("5xx answers back off 1, 3, 5, 7 units and then give up") {
  rest_rate_limiter::settings s;
  s.backoff_unit = 10ms;
  s.max_attempts = 5;
  rest_rate_limiter limiter(s);
  const std::vector<std::pair<int, std::chrono::milliseconds>> expected{
      {0, 10ms}, {1, 30ms}, {2, 50ms}, {3, 70ms}};
  time_point now = t0;
  for (const auto& [attempt, delay] : expected) {
    CAPTURE(attempt);
    const auto v = round_trip(limiter, post_1, response(502), now, attempt);
    CHECK(v.what == action::retry);
    CHECK(v.at == now + delay);
    now = v.at;
  }
  const auto last = round_trip(limiter, post_1, response(502), now, 4);
  CHECK(last.what == action::give_up);
}

TEST_CASE("which statuses are retried") {
  struct status_case {
    int status;
    action expected;
  };
  const std::vector<status_case> cases{
      {200, action::done},  {201, action::done},  {204, action::done},     {400, action::done},
      {403, action::done},  {404, action::done},  {405, action::done},     {413, action::done},
      {500, action::retry}, {501, action::done},  {502, action::retry},    {503, action::retry},
      {504, action::retry}, {524, action::retry}, {401, action::stop_all},
  };
  for (const auto& c : cases) {
    CAPTURE(c.status);
    rest_rate_limiter limiter;
    const auto v = round_trip(limiter, post_1, response(c.status), t0);
    CHECK(v.what == c.expected);
    // A failure says why for the log; a success has nothing to say.
    CHECK(v.reason.empty() == (c.status >= 200 && c.status < 300));
  }
}

TEST_CASE("a 4xx reason carries Discord's error code and message") {
  rest_rate_limiter limiter;
  const auto v = round_trip(
      limiter, post_1,
      response(403, std::nullopt, R"({"message":"Missing Permissions","code":50013})"), t0);
  CHECK(v.what == action::done);
  CHECK(v.reason.find("50013") != std::string::npos);
  CHECK(v.reason.find("Missing Permissions") != std::string::npos);
  CHECK(limiter.invalid_requests(t0) == 1);
  CHECK(limiter.invalid_requests(t0 + 10min) == 0);
}

TEST_CASE("401 halts the limiter: every route is refused from then on") {
  rest_rate_limiter limiter;
  const auto v = round_trip(limiter, post_1, response(401), t0);
  CHECK(v.what == action::stop_all);
  CHECK(limiter.halted());
  for (const auto* route : {&post_1, &post_9, &callback}) {
    CHECK(limiter.refused(*route));
    CHECK(limiter.wait_until(*route, t0 + 1h) == never);
  }
  CHECK(limiter.on_transport_error(post_9, 0, t0).what == action::stop_all);
}

TEST_CASE("a webhook whose token is refused (401) is refused alone, and the bot goes on") {
  rest_rate_limiter limiter;
  const auto followup = make_route("POST", "/webhooks/999/expired-token");
  const auto v = round_trip(
      limiter, followup,
      response(401, std::nullopt, R"({"message": "Invalid Webhook Token", "code": 50027})"), t0);
  CHECK(v.what == action::done);
  CHECK(v.reason.find("50027") != std::string::npos);
  CHECK(v.reason.find("expired-token") == std::string::npos);
  CHECK_FALSE(limiter.halted());
  CHECK(limiter.refused(followup));
  CHECK(limiter.invalid_requests(t0) == 1);
  CHECK_FALSE(limiter.refused(make_route("POST", "/webhooks/999/fresh-token")));
  CHECK_FALSE(limiter.refused(post_1));
  CHECK(round_trip(limiter, post_1, response(200), t0).what == action::done);
}

TEST_CASE("a webhook that answers 404 is refused, other webhooks are not") {
  rest_rate_limiter::settings s;
  s.dead_webhook_retention = 1h;
  s.sweep_interval = 1min;
  rest_rate_limiter limiter(s);
  const auto followup = make_route("POST", "/webhooks/999/expired-token");
  const auto edit_original = make_route("PATCH", "/webhooks/999/expired-token/messages/@original");
  const auto other = make_route("POST", "/webhooks/999/fresh-token");
  const auto v = round_trip(limiter, followup, response(404), t0);
  CHECK(v.what == action::done);
  CHECK(v.reason.find("expired-token") == std::string::npos);
  CHECK(limiter.refused(followup));
  CHECK(limiter.refused(edit_original));
  CHECK(limiter.wait_until(edit_original, t0) == never);
  CHECK_FALSE(limiter.refused(other));
  // A 404 on a channel route is just a failed request.
  round_trip(limiter, post_1, response(404), t0);
  CHECK_FALSE(limiter.refused(post_1));
  // So is Unknown Message under a live webhook: its original was deleted, the token is fine.
  const auto fresh_original = make_route("PATCH", "/webhooks/999/fresh-token/messages/@original");
  round_trip(limiter, fresh_original,
             response(404, std::nullopt, R"({"message": "Unknown Message", "code": 10008})"), t0);
  CHECK_FALSE(limiter.refused(other));
  // The refusal is forgotten after its retention, at the next sweep.
  round_trip(limiter, other, response(204), t0 + 2h);
  CHECK_FALSE(limiter.refused(followup));
}

TEST_CASE("the global per-second budget holds counted routes, not interaction callbacks") {
  rest_rate_limiter::settings s;
  s.global_per_second = 50;
  rest_rate_limiter limiter(s);
  // Fifty sends to fifty channels over the first 490 ms.
  for (int i = 0; i < 50; ++i) {
    const auto route = make_route("POST", "/channels/" + std::to_string(100 + i) + "/messages");
    const time_point at = t0 + i * 10ms;
    REQUIRE_FALSE(limiter.wait_until(route, at).has_value());
    limiter.on_sent(route, at);
  }
  CHECK(limiter.wait_until(post_1, t0 + 500ms) == t0 + 1s);
  CHECK_FALSE(limiter.wait_until(callback, t0 + 500ms).has_value());
  CHECK_FALSE(limiter.wait_until(post_1, t0 + 1s).has_value());
  limiter.on_sent(post_1, t0 + 1s);
  // The window now holds the sends from t0 + 10 ms on, plus this one.
  CHECK(limiter.wait_until(post_9, t0 + 1s) == t0 + 1010ms);
}

TEST_CASE("memory stays bounded after many distinct channels") {
  rest_rate_limiter::settings s;
  s.idle_retention = 5min;
  s.sweep_interval = 1min;
  rest_rate_limiter limiter(s);
  std::size_t most = 0;
  time_point now = t0;
  // 10,000 channels, one message each, 100 ms apart: 1,000 s, far past the retention.
  for (int i = 0; i < 10000; ++i) {
    const auto route = make_route("POST", "/channels/" + std::to_string(1000000 + i) + "/messages");
    round_trip(limiter, route, response(200, limits{"abc", 5, 4, "5"}), now);
    most = std::max(most, limiter.tracked_buckets());
    now += 100ms;
  }
  // At most retention + one sweep interval of entries (3,000 + 600), never all 10,000.
  CHECK(most <= 3601);
  CHECK(most >= 3000);
  // After a quiet spell, one request sweeps away everything idle.
  round_trip(limiter, post_1, response(200, limits{"abc", 5, 4, "5"}), now + 10min);
  CHECK(limiter.tracked_buckets() == 1);
}

TEST_CASE("extreme counts in the headers are clamped, never overflowed") {
  // Found while fuzzing (tests/fuzz/corpus/discord_input/regress-*): learn() adds to and
  // subtracts from these numbers.
  rest_rate_limiter limiter;
  rest_response_view r = response(200);
  r.headers.emplace_back("X-RateLimit-Bucket", "abc");
  r.headers.emplace_back("X-RateLimit-Remaining", "2147483647");
  r.headers.emplace_back("X-RateLimit-Reset-After", "1");
  CHECK(round_trip(limiter, post_1, r, t0).what == rest_verdict::action::done);
  CHECK_FALSE(limiter.wait_until(post_1, t0).has_value());  // plenty left

  rest_response_view none = response(200, limits{"abc", 5, 0, "1"});
  none.headers[2].second = "-2147483648";  // X-RateLimit-Remaining
  limiter.on_sent(post_1, t0);
  limiter.on_sent(post_1, t0);  // one more in flight when the answer comes
  CHECK(limiter.on_response(post_1, none, 0, t0).what == rest_verdict::action::done);
  // A negative count means none left: the next request waits for the reset.
  CHECK(limiter.wait_until(post_1, t0) == t0 + 1s);
}

}  // namespace
}  // namespace tweetup
