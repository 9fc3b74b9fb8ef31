// The only way the project starts a coroutine: co_spawn with a completion handler that logs how
// the task ended, so no exception from a detached task is ever lost.
#pragma once

#include <functional>
#include <string>

#include "async/asio.hpp"

namespace tweetup::async {

// Starts `work` on `ex`. When it ends with an exception, that is logged at error level under
// `name`; cancellation (operation_aborted) is logged at debug. `on_exit`, when given, runs after
// the task ends either way, on the same executor.
void supervise(executor ex, task<void> work, std::string name, std::function<void()> on_exit = {});

}  // namespace tweetup::async
