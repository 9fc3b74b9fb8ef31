#include "adapters/discord/route_cache.hpp"

namespace tweetup {

std::shared_ptr<const rest_route> route_cache::get(std::string_view method, std::string_view path) {
  key_.assign(method).append(1, ' ').append(path);
  if (const auto found = routes_.find(std::string_view(key_)); found != routes_.end()) {
    return found->second;
  }
  if (routes_.size() >= capacity_) routes_.clear();
  auto route = std::make_shared<const rest_route>(make_route(method, std::string(path)));
  routes_.emplace(key_, route);
  return route;
}

}  // namespace tweetup
