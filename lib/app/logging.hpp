// Process-wide logging: one spdlog logger per layer ("app", "storage", "async", "console", …),
// all writing to stderr, as text for people or as one JSON object per line for containers.
#pragma once

#include <memory>

#include <spdlog/spdlog.h>

#include "app/config.hpp"
#include "logging/layer_log.hpp"

namespace tweetup {

// (Re)creates every layer's logger with `settings`. Call once at start, before other work.
void configure_logging(const log_config& settings);

// The app layer's logger.
inline std::shared_ptr<spdlog::logger> app_log() {
  return layer_log("app");
}

}  // namespace tweetup
