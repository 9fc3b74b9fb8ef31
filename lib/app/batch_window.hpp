// The io loop's batch window from the configured batch_window_ms: the configured value (nothing
// is measured then), or for "auto" (nullopt) one chosen by what a wake-up costs this host
// (async/batched_run.hpp), with the measurement and the choice logged so that an operator sees
// why.
#pragma once

#include <chrono>
#include <optional>

namespace tweetup {

std::chrono::microseconds resolve_batch_window(std::optional<std::chrono::microseconds> configured);

}  // namespace tweetup
