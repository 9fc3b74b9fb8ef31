// Whether the bot is healthy: three checks (the adapter is connected, the database takes a
// write, the scheduler loop is alive), each with a short detail for people. Pure: the caller
// gathers the inputs (see application.cpp) and the ops endpoint renders the report.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace tweetup {

struct health_check {
  std::string name;  // "adapter", "database" or "scheduler"
  bool ok = false;
  std::string detail;
};

struct health_report {
  std::vector<health_check> checks;  // always in the order adapter, database, scheduler

  bool ok() const;
  // The names of the failing checks, in order.
  std::vector<std::string> failing() const;
};

struct health_inputs {
  std::string adapter_name;  // "console", "irc" or "discord"
  bool adapter_connected = false;
  std::string adapter_detail;  // chat_adapter::connection_detail(), e.g. "3 of 4 shards"
  // Why the last write probe failed; nullopt when it committed.
  std::optional<std::string> database_problem;
  bool scheduler_running = false;  // its run() has started and not ended
  // Time since the scheduler's loop last woke; it wakes at least every scheduler::max_sleep.
  std::chrono::steady_clock::duration since_scheduler_woke{};
};

// The scheduler counts as alive when its loop woke within this long: its longest sleep plus a
// margin for a slow wake-up.
inline constexpr std::chrono::seconds scheduler_alive_within{90};

health_report build_health_report(const health_inputs& in);

}  // namespace tweetup
