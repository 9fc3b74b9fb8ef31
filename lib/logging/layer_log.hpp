// The logger of one layer ("storage", "scheduler", "console", …). app/logging.cpp registers one
// per layer with the process's sinks; before that (in unit tests) the default logger serves.
// Header-only and spdlog-only, so every layer that may log can share it (design.md §8).
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace tweetup {

// Bumped by whatever replaces the registered loggers (configure_logging), so that the lookups
// layer_log keeps are made again.
inline std::atomic<unsigned> layer_log_generation{0};

inline std::shared_ptr<spdlog::logger> layer_log(const char* layer) {
  // spdlog::get builds a std::string of the name, locks the registry and hashes: about 1 % of
  // the bot's CPU under load, for a few lookups per command. Each thread keeps what it found,
  // per layer, until the loggers are replaced.
  struct found {
    std::string layer;  // empty: a free entry
    unsigned generation = 0;
    std::shared_ptr<spdlog::logger> logger;
  };
  thread_local found cache[16];
  const unsigned generation = layer_log_generation.load(std::memory_order_acquire);
  for (found& entry : cache) {
    if (entry.layer.empty()) {
      entry.layer = layer;
    } else if (entry.layer != layer) {
      continue;
    } else if (entry.generation == generation && entry.logger) {
      return entry.logger;
    }
    auto logger = spdlog::get(entry.layer);
    entry.logger = logger ? logger : spdlog::default_logger();
    entry.generation = generation;
    return entry.logger;
  }
  auto logger = spdlog::get(layer);  // more layers than room: look up every time
  return logger ? logger : spdlog::default_logger();
}

}  // namespace tweetup
