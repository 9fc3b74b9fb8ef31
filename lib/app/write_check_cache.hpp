// Remembers the outcome of the database write probe for a short while, so that polling /healthz
// (or a flood of requests to it) costs at most one committed write, and one fsync, per
// `max_age`. Pure: the caller passes the time and the probe.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace tweetup {

class write_check_cache {
 public:
  using clock = std::chrono::steady_clock;
  // Runs one write probe: nullopt when the write committed, else why it did not.
  using probe = std::function<std::optional<std::string>()>;

  explicit write_check_cache(std::chrono::milliseconds max_age = std::chrono::seconds(1))
      : max_age_(max_age) {}

  // The last outcome when it is younger than max_age at `now`, else a fresh one from `run`.
  std::optional<std::string> check(clock::time_point now, const probe& run);

 private:
  std::chrono::milliseconds max_age_;
  std::optional<clock::time_point> checked_at_;
  std::optional<std::string> last_;
};

}  // namespace tweetup
