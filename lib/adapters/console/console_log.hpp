// The console adapter's logger. app/logging.cpp registers it; until then the default serves.
#pragma once

#include <memory>

#include <spdlog/spdlog.h>

namespace tweetup {

inline std::shared_ptr<spdlog::logger> console_log() {
  auto logger = spdlog::get("console");
  return logger ? logger : spdlog::default_logger();
}

}  // namespace tweetup
