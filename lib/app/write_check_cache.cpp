#include "app/write_check_cache.hpp"

namespace tweetup {

std::optional<std::string> write_check_cache::check(clock::time_point now, const probe& run) {
  // A `now` before the last check counts as stale, so no caller can pin an old outcome.
  if (checked_at_ && now >= *checked_at_ && now - *checked_at_ < max_age_) return last_;
  last_ = run();
  checked_at_ = now;
  return last_;
}

}  // namespace tweetup
