#include "app/batch_window.hpp"

#include "app/logging.hpp"
#include "async/batched_run.hpp"

namespace tweetup {

std::chrono::microseconds resolve_batch_window(
    std::optional<std::chrono::microseconds> configured) {
  if (configured) return *configured;
  const auto wake_cost = async::measure_wake_cost();
  const auto window = async::auto_batch_window(wake_cost);
  const double micros = std::chrono::duration<double, std::micro>(wake_cost).count();
  if (window.count() > 0) {
    app_log()->info(
        "a wake-up costs this host {:.1f} µs of CPU: under load the bot lets events gather for "
        "{:g} ms before it wakes for them (batch_window_ms auto)",
        micros, static_cast<double>(window.count()) / 1000);
  } else {
    app_log()->info(
        "a wake-up costs this host {:.1f} µs of CPU: the bot wakes for each event "
        "(batch_window_ms auto)",
        micros);
  }
  return window;
}

}  // namespace tweetup
