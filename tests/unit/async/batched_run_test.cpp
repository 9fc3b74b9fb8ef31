// run_batched on a real io_context, driven by its own timers: the loop's sleeps are what is
// under test, so the figures are wake-ups counted, with bounds loose enough for a loaded CI
// machine (a batch may come later than asked, never earlier than its event).
#include "async/batched_run.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "async/kernel_poll_throttle.hpp"

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

// `count` timers due `spacing` apart from `start`; each records how late it ran.
struct timer_train {
  std::vector<std::unique_ptr<asio::steady_timer>> timers;
  std::vector<clock_type::duration> lateness;

  timer_train(asio::io_context& io, clock_type::time_point start, int count,
              clock_type::duration spacing) {
    for (int i = 0; i < count; ++i) {
      const auto due = start + i * spacing;
      timers.push_back(std::make_unique<asio::steady_timer>(io, due));
      timers.back()->async_wait([this, due](const boost::system::error_code&) {
        lateness.push_back(clock_type::now() - due);
      });
    }
  }
};

}  // namespace

TEST_CASE("with no window it runs every handler, as run() does, and never holds") {
  asio::io_context io{1};
  int ran = 0;
  for (int i = 0; i < 5; ++i)
    asio::post(io, [&] { ++ran; });
  const auto stats = tweetup::async::run_batched(io, 0us);
  CHECK(ran == 5);
  CHECK(stats.handlers == 5);
  CHECK(stats.holds == 0);
  CHECK(stats.batches >= 1);
}

TEST_CASE("events closer together than the window are taken a window's worth at a time") {
  asio::io_context io{1};
  // 60 events over 59 ms. Alone, each would be a wake-up of its own; with a 25 ms window
  // the first is taken at once, and the rest in a few batches.
  timer_train train(io, clock_type::now() + 5ms, 60, 1ms);
  const auto stats = tweetup::async::run_batched(io, 25ms);
  REQUIRE(train.lateness.size() == 60);
  CHECK(stats.batches <= 12);
  CHECK(stats.holds >= 2);
  // Held, not lost: every event ran, none before it was due (steady_timer's own promise), and
  // none held much past one window (the bound leaves room for a busy machine).
  for (const auto late : train.lateness)
    CHECK(late < 25ms + 250ms);
}

TEST_CASE("an event after a quiet spell is not held") {
  asio::io_context io{1};
  // Two lone events a whole second apart, with a window of 400 ms: neither wait was short, so
  // neither batch holds, and the run ends as soon as the second event has run.
  const auto start = clock_type::now();
  timer_train train(io, start + 20ms, 2, 1000ms);
  const auto stats = tweetup::async::run_batched(io, 400ms);
  REQUIRE(train.lateness.size() == 2);
  CHECK(stats.holds == 0);
  CHECK(train.lateness[0] < 200ms);
  CHECK(train.lateness[1] < 200ms);
}

TEST_CASE("a stop ends the run without sleeping out the window") {
  asio::io_context io{1};
  // Events 1 ms apart make the second batch a held one, unless the stop comes first: the run
  // must end right after the handler that stops it, not a window later.
  const auto start = clock_type::now();
  int ran = 0;
  asio::steady_timer first(io, start + 1ms), second(io, start + 2ms), third(io, start + 3ms);
  first.async_wait([&](const boost::system::error_code&) { ++ran; });
  second.async_wait([&](const boost::system::error_code&) {
    ++ran;
    io.stop();
  });
  third.async_wait([&](const boost::system::error_code&) { ++ran; });
  const auto stats = tweetup::async::run_batched(io, 2000ms);
  CHECK(clock_type::now() - start < 1000ms);
  CHECK(ran >= 2);
  CHECK(stats.handlers == static_cast<std::size_t>(ran));
}

TEST_CASE("auto batches where a wake-up is dear, and not where it is cheap") {
  using tweetup::async::auto_batch_window;
  CHECK(auto_batch_window(45us) == tweetup::async::auto_window);
  CHECK(auto_batch_window(3us) == 0us);
  CHECK(auto_batch_window(tweetup::async::worth_batching) == 0us);
}

TEST_CASE("a measured wake-up costs some CPU, and far less than a second") {
  // The figure itself belongs to the host; what holds everywhere is that a sleep takes the
  // thread through the kernel (never free) and that the median shrugs off one slow sample.
  const auto cost = tweetup::async::measure_wake_cost(5);
  CHECK(cost > 0ns);
  CHECK(cost < 100ms);
}

namespace {

// A chain of `length` handlers, each posting the next: one generation of handlers each, which
// Asio's scheduler separates with a zero-timeout epoll_wait. The last runs `done`.
struct handler_chain {
  asio::io_context& io;
  int left;
  std::function<void()> at_middle;
  std::function<void()> done;
  int middle;

  void step() {
    if (--left == middle && at_middle) at_middle();
    if (left == 0) return done();
    asio::post(io, [this] { step(); });
  }
};

}  // namespace

TEST_CASE("within a batch the kernel is not asked once per generation of handlers") {
  using tweetup::async::kernel_polls_of_this_thread;
  for (const auto window : {0us, 8000us}) {
    CAPTURE(window.count());
    asio::io_context io{1};
    // A timer far ahead puts the reactor in the scheduler's queue, as any socket does.
    asio::steady_timer keep(io, clock_type::now() + 1h);
    keep.async_wait([](const boost::system::error_code&) {});
    handler_chain chain{io, 3000, {}, [&] { keep.cancel(); }, -1};
    asio::post(io, [&] { chain.step(); });
    const auto before = kernel_polls_of_this_thread();
    const auto start = clock_type::now();
    const auto stats = tweetup::async::run_batched(io, window);
    const auto elapsed = clock_type::now() - start;
    const auto after = kernel_polls_of_this_thread();
    REQUIRE(chain.left == 0);
    const auto asked = after.asked - before.asked;
    CHECK(after.skipped - before.skipped == stats.skipped_polls);
    if (window == 0us) {
      // run() itself: every generation asks, and nothing is skipped.
      CHECK(asked >= 2000);
      CHECK(stats.skipped_polls == 0);
    } else {
      // At most one ask per quarter window, plus the batch's first and last.
      CHECK(stats.skipped_polls >= 1000);
      CHECK(asked <= static_cast<std::uint64_t>(elapsed / (window / 4)) + 3);
    }
  }
}

TEST_CASE("data that arrives during a throttled batch is read, not lost") {
  asio::io_context io{1};
  asio::local::stream_protocol::socket reader(io), writer(io);
  asio::local::connect_pair(reader, writer);
  char got[5] = {};
  bool read_done = false, chain_done = false;
  // The run ends when both are done; a stopped io_context never holds, so the hour-long window
  // (a quarter hour between asks) costs no sleep.
  const auto finish_if_both = [&] {
    if (read_done && chain_done) io.stop();
  };
  asio::async_read(reader, asio::buffer(got),
                   [&](const boost::system::error_code& ec, std::size_t n) {
                     read_done = !ec && n == sizeof got;
                     finish_if_both();
                   });
  // The peer's bytes land in the middle of a long chain, while the throttle answers the
  // reactor's asks itself; the read must still complete once the kernel is asked.
  handler_chain chain{io, 3000,
                      [&] { asio::write(writer, asio::buffer(std::string_view("hello"))); },
                      [&] {
                        chain_done = true;
                        finish_if_both();
                      },
                      1500};
  asio::post(io, [&] { chain.step(); });
  const auto stats = tweetup::async::run_batched(io, 1h);
  CHECK(chain.left == 0);
  CHECK(read_done);
  CHECK(std::string_view(got, sizeof got) == "hello");
  CHECK(stats.skipped_polls >= 1000);
  CHECK(stats.holds == 0);
}
