// rest_backpressure: when the gateway stops and resumes reading, by the REST load.
#include <doctest/doctest.h>

#include "adapters/discord/rest_backpressure.hpp"

namespace tweetup {
namespace {

rest_backpressure::settings marks() {
  rest_backpressure::settings s;
  s.high_calls = 100;
  s.high_bytes = 10000;
  s.low_calls = 20;
  s.low_bytes = 2000;
  return s;
}

TEST_CASE("reading pauses when the queued calls reach the high mark") {
  rest_backpressure flow(marks());
  CHECK_FALSE(flow.update({99, 500}));
  CHECK_FALSE(flow.paused());
  CHECK(flow.update({100, 500}));
  CHECK(flow.paused());
  CHECK(flow.pauses() == 1);
  CHECK_FALSE(flow.update({150, 500}));  // already paused: no change to report
  CHECK(flow.pauses() == 1);
}

TEST_CASE("reading pauses when the queued bytes reach the high mark, however few the calls") {
  rest_backpressure flow(marks());
  CHECK_FALSE(flow.update({3, 9999}));
  CHECK(flow.update({4, 10000}));
  CHECK(flow.paused());
}

TEST_CASE("reading resumes only when both figures are down to their low marks") {
  rest_backpressure flow(marks());
  flow.update({100, 9000});
  // Between the marks a paused flow stays paused (hysteresis)...
  CHECK_FALSE(flow.update({50, 5000}));
  CHECK(flow.paused());
  // ...and one figure low is not enough.
  CHECK_FALSE(flow.update({20, 2001}));
  CHECK_FALSE(flow.update({21, 2000}));
  CHECK(flow.paused());
  CHECK(flow.update({20, 2000}));
  CHECK_FALSE(flow.paused());
  // Between the marks a reading flow keeps reading.
  CHECK_FALSE(flow.update({50, 5000}));
  CHECK_FALSE(flow.paused());
  CHECK(flow.update({100, 0}));
  CHECK(flow.pauses() == 2);
}

TEST_CASE("low marks above the high ones are lowered, so a pause can always end") {
  rest_backpressure::settings s;
  s.high_calls = 10;
  s.low_calls = 50;
  s.high_bytes = 100;
  s.low_bytes = 500;
  rest_backpressure flow(s);
  CHECK(flow.limits().low_calls == 10);
  CHECK(flow.limits().low_bytes == 100);
  CHECK(flow.update({11, 0}));
  CHECK_FALSE(flow.update({11, 100}));  // over the (lowered) low mark: still paused
  CHECK(flow.update({10, 100}));
  CHECK_FALSE(flow.paused());
}

TEST_CASE("the defaults pause before a burst of replies takes a megabyte") {
  rest_backpressure flow;
  CHECK_FALSE(flow.update({1023, 1023 * 320}));
  CHECK(flow.update({1024, 1024 * 320}));
  CHECK_FALSE(flow.update({257, 257 * 320}));
  CHECK(flow.update({256, 256 * 320}));
}

TEST_CASE("an empty queue never pauses") {
  rest_backpressure flow;
  CHECK_FALSE(flow.update({0, 0}));
  CHECK_FALSE(flow.paused());
  CHECK(flow.pauses() == 0);
}

}  // namespace
}  // namespace tweetup
