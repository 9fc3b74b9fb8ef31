// The storage layer's logger. app/logging.cpp registers it with the process's sinks; before
// that (in unit tests), the default logger stands in.
#pragma once

#include <memory>

#include <spdlog/spdlog.h>

namespace tweetup {

inline std::shared_ptr<spdlog::logger> storage_log() {
  auto logger = spdlog::get("storage");
  return logger ? logger : spdlog::default_logger();
}

}  // namespace tweetup
