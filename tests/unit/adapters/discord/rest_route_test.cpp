// Table tests of REST route keys (protocols.md R8, R11).
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/discord/rest_route.hpp"

namespace tweetup {
namespace {

struct route_case {
  const char* method;
  const char* path;
  const char* limiter_key;
  const char* route_template;
  const char* major_parameters;
  bool counts_toward_global;
  bool is_webhook;
};

TEST_CASE("make_route keeps major parameters literal and turns other ids into placeholders") {
  const std::vector<route_case> cases{
      {"POST", "/channels/111/messages", "POST /channels/111/messages",
       "POST /channels/{channel_id}/messages", "111", true, false},
      {"patch", "/channels/111/messages/222", "PATCH /channels/111/messages/{id}",
       "PATCH /channels/{channel_id}/messages/{id}", "111", true, false},
      {"GET", "/channels/111/messages?limit=50&before=333", "GET /channels/111/messages",
       "GET /channels/{channel_id}/messages", "111", true, false},
      {"PUT", "/channels/111/messages/222/reactions/%F0%9F%91%8D/@me",
       "PUT /channels/111/messages/{id}/reactions/{emoji}/@me",
       "PUT /channels/{channel_id}/messages/{id}/reactions/{emoji}/@me", "111", true, false},
      {"DELETE", "/channels/111/messages/222/reactions/smile:444/555",
       "DELETE /channels/111/messages/{id}/reactions/{emoji}/{id}",
       "DELETE /channels/{channel_id}/messages/{id}/reactions/{emoji}/{id}", "111", true, false},
      {"GET", "/guilds/777/scheduled-events/888", "GET /guilds/777/scheduled-events/{id}",
       "GET /guilds/{guild_id}/scheduled-events/{id}", "777", true, false},
      {"PUT", "/applications/999/guilds/777/commands", "PUT /applications/{id}/guilds/777/commands",
       "PUT /applications/{id}/guilds/{guild_id}/commands", "777", true, false},
      {"PUT", "/applications/999/commands", "PUT /applications/{id}/commands",
       "PUT /applications/{id}/commands", "", true, false},
      {"GET", "/gateway/bot", "GET /gateway/bot", "GET /gateway/bot", "", true, false},
      {"GET", "/users/@me", "GET /users/@me", "GET /users/@me", "", true, false},
      // R8: callbacks skip the global limit; each interaction is its own key.
      {"POST", "/interactions/123/aW50ZXJhY3Rpb24.tok-en_1/callback",
       "POST /interactions/123/aW50ZXJhY3Rpb24.tok-en_1/callback",
       "POST /interactions/{interaction_id}/{interaction_token}/callback",
       "123/aW50ZXJhY3Rpb24.tok-en_1", false, false},
      // Interaction follow-ups are webhooks keyed by application id + token.
      {"POST", "/webhooks/999/tokA", "POST /webhooks/999/tokA",
       "POST /webhooks/{webhook_id}/{webhook_token}", "999/tokA", true, true},
      {"PATCH", "/webhooks/999/tokA/messages/@original",
       "PATCH /webhooks/999/tokA/messages/@original",
       "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/@original", "999/tokA", true, true},
      {"DELETE", "/webhooks/999/tokA/messages/222", "DELETE /webhooks/999/tokA/messages/{id}",
       "DELETE /webhooks/{webhook_id}/{webhook_token}/messages/{id}", "999/tokA", true, true},
      {"GET", "/webhooks/999", "GET /webhooks/999", "GET /webhooks/{webhook_id}", "999", true,
       true},
      {"GET", "/channels/111/webhooks", "GET /channels/111/webhooks",
       "GET /channels/{channel_id}/webhooks", "111", true, false},
  };
  for (const auto& c : cases) {
    const std::string request = std::string(c.method) + " " + c.path;
    CAPTURE(request);
    const rest_route r = make_route(c.method, c.path);
    CHECK(r.path == c.path);
    CHECK(r.limiter_key == c.limiter_key);
    CHECK(r.route_template == c.route_template);
    CHECK(r.major_parameters == c.major_parameters);
    CHECK(r.counts_toward_global == c.counts_toward_global);
    CHECK(r.is_webhook == c.is_webhook);
  }
}

TEST_CASE("routes share a limiter key exactly when only minor ids differ") {
  CHECK(make_route("PATCH", "/channels/1/messages/2").limiter_key ==
        make_route("PATCH", "/channels/1/messages/3").limiter_key);
  CHECK(make_route("PATCH", "/channels/1/messages/2").limiter_key !=
        make_route("PATCH", "/channels/9/messages/2").limiter_key);
  CHECK(make_route("PATCH", "/channels/1/messages/2").limiter_key !=
        make_route("DELETE", "/channels/1/messages/2").limiter_key);
  CHECK(make_route("POST", "/webhooks/5/tokenA").limiter_key !=
        make_route("POST", "/webhooks/5/tokenB").limiter_key);
  // The template ignores the major parameter: a learned bucket hash applies to every channel.
  CHECK(make_route("POST", "/channels/1/messages").route_template ==
        make_route("POST", "/channels/9/messages").route_template);
}

// The first make_route, kept as the model the single-pass one must match byte for byte: a list of
// segments and the keys joined from it.
rest_route model_route(std::string_view method, std::string path) {
  rest_route route;
  for (const unsigned char c : method)
    route.method.push_back(static_cast<char>(std::toupper(c)));
  std::string_view bare = path;
  if (const auto query = bare.find('?'); query != std::string_view::npos) {
    bare = bare.substr(0, query);
  }
  std::vector<std::string_view> segments;
  for (std::size_t start = 0; start <= bare.size();) {
    const auto slash = bare.find('/', start);
    const auto end = slash == std::string_view::npos ? bare.size() : slash;
    if (end > start) segments.push_back(bare.substr(start, end - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  const auto snowflake = [](std::string_view s) {
    return !s.empty() && s.size() <= 20 &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  std::string keyed, templated;
  std::vector<std::string_view> majors;
  const auto add = [&](std::string_view literal, std::string_view placeholder, bool major) {
    keyed += '/';
    templated += '/';
    if (major) {
      keyed += literal;
      majors.push_back(literal);
    } else {
      keyed += placeholder.empty() ? literal : placeholder;
    }
    templated += placeholder.empty() ? literal : placeholder;
  };
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const std::string_view s = segments[i];
    const std::string_view prev = i > 0 ? segments[i - 1] : std::string_view{};
    const std::string_view before = i > 1 ? segments[i - 2] : std::string_view{};
    if (prev == "channels" && snowflake(s)) {
      add(s, "{channel_id}", true);
    } else if (prev == "guilds" && snowflake(s)) {
      add(s, "{guild_id}", true);
    } else if (prev == "webhooks" && snowflake(s)) {
      add(s, "{webhook_id}", true);
      route.is_webhook = true;
    } else if (before == "webhooks" && snowflake(prev)) {
      add(s, "{webhook_token}", true);
    } else if (prev == "interactions" && snowflake(s)) {
      add(s, "{interaction_id}", true);
    } else if (before == "interactions" && snowflake(prev)) {
      add(s, "{interaction_token}", true);
    } else if (prev == "reactions") {
      add(s, "{emoji}", false);
    } else if (snowflake(s)) {
      add(s, "{id}", false);
    } else {
      add(s, {}, false);
    }
  }
  if (!segments.empty() && segments.front() == "interactions") route.counts_toward_global = false;
  if (!segments.empty() && segments.front() != "webhooks") route.is_webhook = false;
  route.limiter_key = route.method + ' ' + keyed;
  route.route_template = route.method + ' ' + templated;
  for (std::size_t i = 0; i < majors.size(); ++i) {
    if (i > 0) route.major_parameters += '/';
    route.major_parameters += majors[i];
  }
  route.path = std::move(path);
  return route;
}

TEST_CASE("make_route matches the segment-list model on random paths") {
  // Paths built from the words and ids the rules look at, so every rule and its neighbours
  // (empty segments, a query, ids too long to be snowflakes) come up often.
  const std::vector<std::string> words{"channels",
                                       "guilds",
                                       "webhooks",
                                       "interactions",
                                       "reactions",
                                       "messages",
                                       "callback",
                                       "@me",
                                       "1",
                                       "111",
                                       "123456789012345678901",
                                       "tok-en_1",
                                       "%F0%9F%91%8D",
                                       "",
                                       "?limit=5/7"};
  const std::vector<std::string> methods{"POST", "patch", "Get", "DELETE", ""};
  std::mt19937 random(20240613);
  for (int round = 0; round < 20000; ++round) {
    std::string path;
    const std::size_t segments = random() % 7;
    for (std::size_t i = 0; i < segments; ++i)
      path += (random() % 8 == 0 ? "" : "/") + words[random() % words.size()];
    const std::string& method = methods[random() % methods.size()];
    CAPTURE(path);
    CAPTURE(method);
    const rest_route fast = make_route(method, path);
    const rest_route model = model_route(method, path);
    CHECK(fast.method == model.method);
    CHECK(fast.path == model.path);
    CHECK(fast.limiter_key == model.limiter_key);
    CHECK(fast.route_template == model.route_template);
    CHECK(fast.major_parameters == model.major_parameters);
    CHECK(fast.counts_toward_global == model.counts_toward_global);
    CHECK(fast.is_webhook == model.is_webhook);
  }
}

TEST_CASE("the loggable template never holds a token") {
  const auto callback = make_route("POST", "/interactions/123/secret-token/callback");
  const auto followup = make_route("POST", "/webhooks/999/secret-token");
  CHECK(callback.route_template.find("secret") == std::string::npos);
  CHECK(followup.route_template.find("secret") == std::string::npos);
}

}  // namespace
}  // namespace tweetup
