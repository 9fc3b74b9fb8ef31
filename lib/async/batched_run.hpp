// Runs the bot's io_context as io_context::run() does, except that when it is busy it takes its
// work in batches: one wake-up of the thread serves every event that arrived in a short window,
// instead of one wake-up each.
//
// Why: a thread that blocks and is woken again costs about as much as the work of one command
// on the virtual machines bots run on. On the 2-core VMs of bench/README.md ("Wake-ups") a sleep
// and its wake-up cost the sleeper 30 – 60 µs of CPU, and waking a thread on an idle core costs
// the waker about 20 µs, while a whole `!join` (gateway frame, SQLite upsert, REST reply) is
// about 50 µs of work. Under load the io thread woke about once per command.
//
// The rule: when the wait that just ended was shorter than `window` (events come faster than one
// per window), the thread, after running everything ready, sleeps until `window` has passed
// since it woke, and then takes all that arrived meanwhile (socket data, timers, posts from the
// WAL syncer) in one batch. A lone event after a quiet spell waits for nothing; under load an
// event waits at most about `window` more, twice if its reply also waits on a WAL sync. A window
// of zero never holds, which is io_context::run() itself. Where a wake-up is cheap (bare metal:
// a few µs) holding saves little and only adds latency, so the default ("auto") measures the
// host first (measure_wake_cost) and batches only where a wake-up is dear.
#pragma once

#include <chrono>
#include <cstddef>

#include <boost/asio/io_context.hpp>

namespace tweetup::async {

struct batched_run_stats {
  std::size_t handlers = 0;       // handlers run, as io_context::run() counts them
  std::size_t batches = 0;        // wake-ups: each ran at least one handler
  std::size_t holds = 0;          // batches followed by a sleep of up to one window
  std::size_t skipped_polls = 0;  // zero-timeout epoll_waits a batch's throttle answered itself
};

// Returns when `io` is stopped or runs out of work, as run() does.
batched_run_stats run_batched(boost::asio::io_context& io, std::chrono::microseconds window);

// What one short sleep and its wake-up cost the calling thread in CPU time: the median of
// `samples` sleeps of 20 µs, each timed on the thread's CPU clock. A few µs on bare metal,
// 30 – 60 µs on the VMs of bench/README.md. Takes about a millisecond.
std::chrono::nanoseconds measure_wake_cost(int samples = 15);

// The window batch_window_ms "auto" takes for a measured wake-up cost: `auto_window` where a
// wake-up costs more than `worth_batching`, and none where it is cheap: there, holding would add
// latency and save next to nothing.
inline constexpr std::chrono::microseconds auto_window{1000};
inline constexpr std::chrono::nanoseconds worth_batching{10'000};
std::chrono::microseconds auto_batch_window(std::chrono::nanoseconds wake_cost);

}  // namespace tweetup::async
