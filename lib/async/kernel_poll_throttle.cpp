#include "async/kernel_poll_throttle.hpp"

#include <sys/epoll.h>

// The real epoll_wait, as the linker's --wrap names it.
extern "C" int __real_epoll_wait(int epfd, epoll_event* events, int max_events, int timeout);

namespace tweetup::async {

namespace {

using clock_type = std::chrono::steady_clock;

struct thread_polls {
  clock_type::duration gap{0};  // zero: no throttle open
  clock_type::time_point last_ask{};
  kernel_poll_counts counts;
};

thread_local thread_polls polls;

}  // namespace

kernel_poll_counts kernel_polls_of_this_thread() {
  return polls.counts;
}

kernel_poll_throttle::kernel_poll_throttle(std::chrono::microseconds gap) {
  polls.gap = gap;
}

kernel_poll_throttle::~kernel_poll_throttle() {
  polls.gap = clock_type::duration{0};
}

// Whether this call may skip the kernel; counts it either way.
static bool skip_kernel(int timeout) {
  if (timeout == 0 && polls.gap > clock_type::duration{0} &&
      clock_type::now() - polls.last_ask < polls.gap) {
    ++polls.counts.skipped;
    return true;
  }
  ++polls.counts.asked;
  return false;
}

static void asked_kernel() {
  polls.last_ask = clock_type::now();
}

}  // namespace tweetup::async

extern "C" int __wrap_epoll_wait(int epfd, epoll_event* events, int max_events, int timeout) {
  if (tweetup::async::skip_kernel(timeout)) return 0;
  const int ready = __real_epoll_wait(epfd, events, max_events, timeout);
  // Taken when the call returns: a blocking wait asked the kernel last at its end.
  tweetup::async::asked_kernel();
  return ready;
}
