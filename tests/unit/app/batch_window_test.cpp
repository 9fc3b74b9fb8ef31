// resolve_batch_window: a configured batch_window_ms is taken as it is, whatever the host; only
// "auto" measures (its choice by cost is tested with async/batched_run).
#include "app/batch_window.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <optional>

#include "async/batched_run.hpp"

using namespace std::chrono_literals;

TEST_CASE("a configured batch window always wins") {
  CHECK(tweetup::resolve_batch_window(0us) == 0us);
  CHECK(tweetup::resolve_batch_window(2500us) == 2500us);
}

TEST_CASE("auto picks no window or the auto window, nothing else") {
  const auto window = tweetup::resolve_batch_window(std::nullopt);
  CHECK((window == 0us || window == tweetup::async::auto_window));
}
