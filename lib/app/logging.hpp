// Process-wide logging: one spdlog logger per layer ("app", "storage", "async", "console", …),
// all writing to stderr, as text for people or as one JSON object per line for containers.
#pragma once

#include <memory>
#include <string_view>

#include <spdlog/spdlog.h>

#include "app/config.hpp"
#include "logging/layer_log.hpp"

namespace tweetup {

// (Re)creates every layer's logger with `settings`. Call once at start, before other work.
void configure_logging(const log_config& settings);

// The line format of log.format: "json" (one object per line with time, level, layer, message
// and the open log_fields) or "text" (for people; fields appended as key=value).
std::unique_ptr<spdlog::formatter> make_log_formatter(std::string_view format);

// The app layer's logger.
inline std::shared_ptr<spdlog::logger> app_log() {
  return layer_log("app");
}

}  // namespace tweetup
