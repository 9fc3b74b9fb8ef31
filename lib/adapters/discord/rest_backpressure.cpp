#include "adapters/discord/rest_backpressure.hpp"

#include <algorithm>

namespace tweetup {

rest_backpressure::rest_backpressure(settings s) : settings_(s) {
  settings_.low_calls = std::min(settings_.low_calls, settings_.high_calls);
  settings_.low_bytes = std::min(settings_.low_bytes, settings_.high_bytes);
}

bool rest_backpressure::update(load now) {
  const bool over = now.calls >= settings_.high_calls || now.bytes >= settings_.high_bytes;
  const bool under = now.calls <= settings_.low_calls && now.bytes <= settings_.low_bytes;
  if (!paused_ && over) {
    paused_ = true;
    ++pauses_;
    return true;
  }
  if (paused_ && under) {
    paused_ = false;
    return true;
  }
  return false;
}

}  // namespace tweetup
