// The clock port. The core never reads the time itself; it is handed `now`, and whoever calls it
// asks a clock, so tests can set the time.
#pragma once

#include <chrono>

namespace tweetup {

class clock {
 public:
  virtual ~clock() = default;
  virtual std::chrono::sys_seconds now() const = 0;
};

}  // namespace tweetup
