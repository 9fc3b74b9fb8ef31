// How often, inside a batch, the io thread asks the kernel whether new events arrived.
//
// Asio's scheduler puts its reactor in the same queue as the handlers. When io_context::poll()
// runs a handler that posts another (a completion that resumes a coroutine, which starts the
// next operation, and so on), the new handler goes behind the reactor, so the reactor runs
// again first: an epoll_wait with a zero timeout for every generation of handlers. Under load
// that is about two per `!join`, and it usually finds nothing or a single event. On the VMs of
// bench/README.md a system call alone costs about 1 µs ("epoll_wait asked less often"), which
// is about 5 % of a command's CPU.
//
// While a throttle is open on a thread, a zero-timeout epoll_wait less than `gap` after the
// thread last asked the kernel returns "nothing new" without entering it. Nothing is lost:
// Asio registers its descriptors edge-triggered, and the kernel keeps a ready event until some
// epoll_wait takes it, so the event is taken by the next real ask, at most `gap` later, or
// as soon as the thread would block, since a wait with a timeout always goes to the kernel.
//
// How it is hooked in: the build links everything that uses tweetup_async with
// --wrap=epoll_wait, so Asio's calls (compiled into our objects from its headers) reach
// kernel_poll_throttle.cpp first. With no throttle open, as in io_context::poll() called by a
// test, every call goes straight through.
#pragma once

#include <chrono>
#include <cstdint>

namespace tweetup::async {

// What this thread's epoll_wait calls did since it started.
struct kernel_poll_counts {
  std::uint64_t asked = 0;    // calls that entered the kernel
  std::uint64_t skipped = 0;  // zero-timeout calls answered "nothing new" by a throttle
};
kernel_poll_counts kernel_polls_of_this_thread();

// Opens a throttle on the calling thread for its lifetime. Not nestable: one per thread at a
// time, which is what run_batched needs.
class kernel_poll_throttle {
 public:
  explicit kernel_poll_throttle(std::chrono::microseconds gap);
  ~kernel_poll_throttle();
  kernel_poll_throttle(const kernel_poll_throttle&) = delete;
  kernel_poll_throttle& operator=(const kernel_poll_throttle&) = delete;
};

}  // namespace tweetup::async
