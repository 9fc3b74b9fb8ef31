// The logger of one layer ("storage", "scheduler", "console", …). app/logging.cpp registers one
// per layer with the process's sinks; before that (in unit tests) the default logger serves.
// Header-only and spdlog-only, so every layer that may log can share it (design.md §8).
#pragma once

#include <memory>

#include <spdlog/spdlog.h>

namespace tweetup {

inline std::shared_ptr<spdlog::logger> layer_log(const char* layer) {
  auto logger = spdlog::get(layer);
  return logger ? logger : spdlog::default_logger();
}

}  // namespace tweetup
