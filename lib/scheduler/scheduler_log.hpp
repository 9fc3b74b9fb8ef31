// The scheduler's logger. app/logging.cpp registers it; until then the default serves.
#pragma once

#include <memory>

#include <spdlog/spdlog.h>

namespace tweetup {

inline std::shared_ptr<spdlog::logger> scheduler_log() {
  auto logger = spdlog::get("scheduler");
  return logger ? logger : spdlog::default_logger();
}

}  // namespace tweetup
