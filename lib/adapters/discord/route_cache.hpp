// Routes made once per method and path, shared by the calls that use them. Replies to one
// channel repeat the same path, and a route is five strings: making one per reply cost more
// than looking it up, and a queued reply held them all (sharing them took about 0.2 MiB off the
// benchmark's peak RSS, with 1,024 calls queued; bench/README.md). Holders keep their route
// alive: forgetting one here never invalidates it.
// Bounded: past `capacity` routes (paths with message ids, such as a card's PATCH, never
// repeat for long) it forgets them all and starts over. Pure; not thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "adapters/discord/rest_route.hpp"

namespace tweetup {

class route_cache {
 public:
  explicit route_cache(std::size_t capacity = 512) : capacity_(capacity) {}

  // make_route(method, path), made at the first call with this method and path.
  std::shared_ptr<const rest_route> get(std::string_view method, std::string_view path);
  std::size_t size() const { return routes_.size(); }

 private:
  struct key_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const {
      return std::hash<std::string_view>{}(key);
    }
  };

  std::size_t capacity_;
  std::unordered_map<std::string, std::shared_ptr<const rest_route>, key_hash, std::equal_to<>>
      routes_;
  std::string key_;  // method, a space and the path; its room is reused for every lookup
};

}  // namespace tweetup
