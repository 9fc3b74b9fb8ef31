// Identifies across shards: one per rate-limit bucket per spacing, timed from the Identify
// itself (protocols.md G14), and the shard counts of G15.
#include "adapters/discord/identify_gate.hpp"

#include <doctest/doctest.h>

using tweetup::identify_gate;
using namespace std::chrono_literals;

namespace {
const identify_gate::time_point t0{std::chrono::hours(1)};
constexpr auto held = identify_gate::time_point::max();
}  // namespace

TEST_CASE("identify_gate: one bucket takes one Identify per spacing, from when it was sent") {
  identify_gate gate(5000ms);
  CHECK_FALSE(gate.take(0, t0));         // granted
  CHECK(gate.take(1, t0) == held);       // max_concurrency 1: every shard shares bucket 0
  CHECK(gate.take(1, t0 + 9s) == held);  // held however long the first one's connect takes
  gate.sent(0, t0 + 10s);
  CHECK(gate.take(1, t0 + 10s) == t0 + 15s);
  CHECK(gate.take(1, t0 + 14999ms) == t0 + 15s);
  CHECK_FALSE(gate.take(1, t0 + 15s));
  gate.sent(1, t0 + 15100ms);
  // Shard 0 reconnecting later (op 9 d:false) waits for shard 1's Identify as well.
  CHECK(gate.take(0, t0 + 16s) == t0 + 20100ms);
}

TEST_CASE("identify_gate: a connection that failed before identifying frees the bucket at once") {
  identify_gate gate(5000ms);
  CHECK_FALSE(gate.take(0, t0));
  gate.abandoned(0);
  CHECK_FALSE(gate.take(1, t0 + 1ms));  // nothing was sent: no spacing to wait out
  gate.abandoned(1);
  gate.sent(0, t0 + 2s);
  CHECK(gate.take(1, t0 + 3s) == t0 + 7s);
  // The spacing counts from the later of two reports, never back in time.
  gate.sent(0, t0 + 1s);
  CHECK(gate.take(1, t0 + 3s) == t0 + 7s);
}

TEST_CASE("identify_gate: max_concurrency buckets are shard_id % max_concurrency") {
  identify_gate gate(5000ms);
  gate.set_max_concurrency(4);
  CHECK(gate.max_concurrency() == 4);
  CHECK(gate.bucket_of(6) == 2);
  for (int shard = 0; shard < 4; ++shard)
    CHECK_FALSE(gate.take(shard, t0));  // four buckets start together
  CHECK(gate.take(4, t0) == held);      // bucket 0 again
  for (int shard = 0; shard < 4; ++shard)
    gate.sent(shard, t0 + 100ms);
  CHECK(gate.take(4, t0 + 1s) == t0 + 5100ms);
  CHECK(gate.take(7, t0 + 1s) == t0 + 5100ms);
  gate.set_max_concurrency(0);  // nonsense from the network counts as 1
  CHECK(gate.max_concurrency() == 1);
}

TEST_CASE("identify_gate: a new max_concurrency waits out the latest Identify of any bucket") {
  identify_gate gate(5000ms);
  gate.set_max_concurrency(2);
  CHECK_FALSE(gate.take(1, t0));
  gate.sent(1, t0);
  gate.set_max_concurrency(3);
  // Shard 0 was never in a bucket with shard 1, but under the new count nothing tells which
  // bucket Discord last saw an Identify in: each waits.
  CHECK(gate.take(0, t0 + 1s) == t0 + 5s);
  CHECK(gate.take(2, t0 + 1s) == t0 + 5s);
  gate.set_max_concurrency(3);  // unchanged: nothing forgotten, nothing added
  CHECK(gate.take(0, t0 + 1s) == t0 + 5s);
}

TEST_CASE("shard counts: configured, recommended, and after 4011") {
  CHECK(tweetup::shard_count(3, 10) == 3);
  CHECK(tweetup::shard_count(0, 10) == 10);
  CHECK(tweetup::shard_count(0, std::nullopt) == 1);
  CHECK(tweetup::reshard_count(1, 1) == 2);  // the recommendation lags: one more than refused
  CHECK(tweetup::reshard_count(2, 6) == 6);
  CHECK(tweetup::reshard_count(4, std::nullopt) == 5);
}
