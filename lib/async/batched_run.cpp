#include "async/batched_run.hpp"

#include <optional>
#include <thread>

namespace tweetup::async {

batched_run_stats run_batched(boost::asio::io_context& io, std::chrono::microseconds window) {
  using clock = std::chrono::steady_clock;
  batched_run_stats stats;
  // When the thread last became free to wait; empty until the first batch, so that the first
  // event is never held.
  std::optional<clock::time_point> free_since;
  for (;;) {
    const std::size_t first = io.run_one();  // blocks only when nothing is ready
    if (first == 0) return stats;            // stopped, or out of work
    const auto woke = clock::now();
    stats.handlers += first + io.poll();
    ++stats.batches;
    // A batch found ready right after a hold counts as a short wait too: the load goes on, and
    // so does the holding, until a hold ends with nothing to do and the thread blocks again.
    const bool busy = free_since && woke - *free_since < window;
    if (busy && !io.stopped()) {
      ++stats.holds;
      std::this_thread::sleep_until(woke + window);
    }
    free_since = clock::now();
  }
}

}  // namespace tweetup::async
