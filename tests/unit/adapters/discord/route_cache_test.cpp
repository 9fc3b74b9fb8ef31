// route_cache: the same route for the same call, made as make_route makes it, and bounded.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "adapters/discord/route_cache.hpp"

namespace tweetup {
namespace {

TEST_CASE("route_cache gives make_route's route, once per method and path") {
  route_cache cache;
  const auto first = cache.get("POST", "/channels/111/messages");
  REQUIRE(first);
  CHECK(*first == make_route("POST", "/channels/111/messages"));
  // The same call again shares the route; another path or method gets its own.
  CHECK(cache.get("POST", "/channels/111/messages") == first);
  const auto other_channel = cache.get("POST", "/channels/222/messages");
  CHECK(*other_channel == make_route("POST", "/channels/222/messages"));
  CHECK(other_channel != first);
  const auto other_method = cache.get("PATCH", "/channels/111/messages/333");
  CHECK(*other_method == make_route("PATCH", "/channels/111/messages/333"));
  // Method and path are kept apart: "POST /a" + "b" is not "POST" + " /ab".
  const auto webhook = cache.get("POST", "/webhooks/5/tok");
  CHECK(*webhook == make_route("POST", "/webhooks/5/tok"));
  CHECK(cache.size() == 4);
}

TEST_CASE("route_cache forgets everything at its bound, and routes already handed out live on") {
  route_cache cache(3);
  std::vector<std::shared_ptr<const rest_route>> held;
  for (int i = 0; i < 3; ++i)
    held.push_back(cache.get("POST", "/channels/" + std::to_string(100 + i) + "/messages"));
  CHECK(cache.size() == 3);
  // The fourth path starts over: the cache then holds it alone.
  const auto fourth = cache.get("POST", "/channels/103/messages");
  CHECK(cache.size() == 1);
  CHECK(*fourth == make_route("POST", "/channels/103/messages"));
  for (int i = 0; i < 3; ++i) {
    const std::string path = "/channels/" + std::to_string(100 + i) + "/messages";
    CHECK(*held[i] == make_route("POST", path));
    // Asked again, it is made again: equal, but not the forgotten one.
    const auto again = cache.get("POST", path);
    CHECK(*again == *held[i]);
    CHECK(again != held[i]);
  }
}

}  // namespace
}  // namespace tweetup
