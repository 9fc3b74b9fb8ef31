#include "async/batched_run.hpp"

#include "async/kernel_poll_throttle.hpp"

#include <time.h>

#include <algorithm>
#include <optional>
#include <thread>
#include <vector>

namespace tweetup::async {

batched_run_stats run_batched(boost::asio::io_context& io, std::chrono::microseconds window) {
  using clock = std::chrono::steady_clock;
  batched_run_stats stats;
  const auto skipped_before = kernel_polls_of_this_thread().skipped;
  // When the thread last became free to wait; empty until the first batch, so that the first
  // event is never held.
  std::optional<clock::time_point> free_since;
  for (;;) {
    const std::size_t first = io.run_one();  // blocks only when nothing is ready
    if (first == 0) {                        // stopped, or out of work
      stats.skipped_polls = kernel_polls_of_this_thread().skipped - skipped_before;
      return stats;
    }
    const auto woke = clock::now();
    {
      // Within a batch the kernel is asked for new events at most four times a window
      // (kernel_poll_throttle.hpp says why). No window, no throttle: that is run().
      const kernel_poll_throttle throttle(window / 4);
      stats.handlers += first + io.poll();
    }
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

namespace {

std::chrono::nanoseconds thread_cpu_time() {
  timespec now{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
}

}  // namespace

std::chrono::nanoseconds measure_wake_cost(int samples) {
  std::vector<std::chrono::nanoseconds> costs;
  for (int i = 0; i < std::max(samples, 1); ++i) {
    const auto before = thread_cpu_time();
    std::this_thread::sleep_for(std::chrono::microseconds(20));
    costs.push_back(thread_cpu_time() - before);
  }
  // The median: a sample that met a preemption or a page fault says nothing about the host.
  auto middle = costs.begin() + static_cast<std::ptrdiff_t>(costs.size() / 2);
  std::nth_element(costs.begin(), middle, costs.end());
  return *middle;
}

std::chrono::microseconds auto_batch_window(std::chrono::nanoseconds wake_cost) {
  return wake_cost > worth_batching ? auto_window : std::chrono::microseconds(0);
}

}  // namespace tweetup::async
