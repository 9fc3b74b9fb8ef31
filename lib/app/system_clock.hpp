// The real clock: UTC wall time from std::chrono::system_clock, to the second.
#pragma once

#include "core/clock.hpp"

namespace tweetup {

class system_clock final : public clock {
 public:
  std::chrono::sys_seconds now() const override {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  }
};

}  // namespace tweetup
