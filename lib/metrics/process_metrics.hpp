// The conventional process_* metrics that the bot exports, in a registry:
// - process_resident_memory_bytes: read from /proc/self/statm at each render (no sample where
//   /proc is missing);
// - process_start_time_seconds: the Unix time of the first call, which main makes at startup.
// The only file of lib/metrics that does I/O (one small read of /proc per render).
#pragma once

#include <optional>

#include "metrics/registry.hpp"

namespace tweetup::metrics {

// Registers both gauges in `into` (idempotent; the start time is set once, by the first call).
void register_process_metrics(registry& into);

// The resident set size of this process in bytes, or nothing when /proc cannot tell.
std::optional<double> resident_memory_bytes();

}  // namespace tweetup::metrics
