// The async layer's logger. app/logging.cpp registers it; until then the default logger serves.
#pragma once

#include <memory>

#include <spdlog/spdlog.h>

namespace tweetup::async {

inline std::shared_ptr<spdlog::logger> async_log() {
  auto logger = spdlog::get("async");
  return logger ? logger : spdlog::default_logger();
}

}  // namespace tweetup::async
