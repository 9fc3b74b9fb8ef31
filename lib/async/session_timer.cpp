#include "async/session_timer.hpp"

#include <algorithm>
#include <cmath>

#include <boost/asio/this_coro.hpp>

namespace tweetup::async {

session_timer::session_timer(executor ex) : timer_(ex), random_(std::random_device{}()) {}

void session_timer::set(clock::time_point at) {
  // The timer is armed for the same deadline already, or will be by the next step().
  if (at_ == at) return;
  at_ = at;
  timer_.cancel();
}

task<bool> session_timer::step() {
  if (at_ && clock::now() >= *at_) {
    at_.reset();
    co_return true;
  }
  timer_.expires_at(at_.value_or(clock::time_point::max()));
  auto [ec] = co_await timer_.async_wait(nothrow);
  (void)ec;  // expired, re-armed or cancelled: the next step() looks at the deadline again
  co_return false;
}

task<void> session_timer::run(std::function<bool()> go_on, std::function<void()> on_due) {
  while (go_on()) {
    const bool due = co_await step();
    if (due) on_due();
    const auto state = co_await asio::this_coro::cancellation_state;
    if (state.cancelled() != asio::cancellation_type::none) co_return;
  }
}

double session_timer::jitter() {
  const double x = std::uniform_real_distribution<double>(0.0, 1.0)(random_);
  // The distribution may return its upper bound through rounding; the sessions take [0, 1).
  return std::min(x, std::nextafter(1.0, 0.0));
}

}  // namespace tweetup::async
