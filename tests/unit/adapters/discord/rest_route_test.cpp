// Table tests of REST route keys (protocols.md R8, R11).
#include <doctest/doctest.h>

#include <string>
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

TEST_CASE("the loggable template never holds a token") {
  const auto callback = make_route("POST", "/interactions/123/secret-token/callback");
  const auto followup = make_route("POST", "/webhooks/999/secret-token");
  CHECK(callback.route_template.find("secret") == std::string::npos);
  CHECK(followup.route_template.find("secret") == std::string::npos);
}

}  // namespace
}  // namespace tweetup
