// Who may Identify when, across the shards of one bot (protocols.md G14, G15). Discord lets a
// bot start `max_concurrency` sessions per 5 s: shard i belongs to rate-limit bucket
// i % max_concurrency, and each bucket takes one Identify per 5 s. An Identify too early is
// answered with op 9 and costs a session start of the daily 1,000.
//
// A shard takes its bucket before it connects and holds it until its Identify has gone out (the
// next one in the bucket then waits `spacing` from that moment) or until the connection failed
// first (the bucket is free again at once). Timing from the Identify itself, not from the grant,
// keeps a slow connect or TLS handshake from bringing two Identifies closer than `spacing`.
// Pure: the adapter asks with its clock and waits as told.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <vector>

namespace tweetup {

class identify_gate {
 public:
  using clock = std::chrono::steady_clock;
  using time_point = clock::time_point;

  explicit identify_gate(std::chrono::milliseconds spacing) : spacing_(spacing) {}

  // From the session start limit (G14); below 1 counts as 1. Call it while no shard holds a
  // bucket. When the count changes, shards fall into other buckets, so every bucket then waits
  // out the latest Identify of any: never early, at worst 5 s late once.
  void set_max_concurrency(int n);
  int max_concurrency() const { return max_concurrency_; }
  int bucket_of(int shard_id) const { return shard_id % max_concurrency_; }

  // Asks for shard `shard_id`'s turn. nullopt: granted, the bucket is now held by this shard.
  // Otherwise when to ask again: a time, or time_point::max() while another shard holds the
  // bucket (ask again after it calls sent() or abandoned()).
  std::optional<time_point> take(int shard_id, time_point now);
  // The holder's Identify went out at `at`: the bucket is free from `at + spacing`.
  void sent(int shard_id, time_point at);
  // The holder's connection ended before it identified: the bucket is free, timed as before.
  void abandoned(int shard_id);

 private:
  struct bucket {
    bool held = false;
    std::optional<time_point> last_sent;
  };
  bucket& of(int shard_id);

  std::chrono::milliseconds spacing_;
  int max_concurrency_ = 1;
  std::vector<bucket> buckets_;
};

// How many shards to run (G15): the configured count, or with 0 ("auto") Discord's
// recommendation from GET /gateway/bot, at least 1.
int shard_count(int configured, std::optional<int> recommended);

// After close 4011 (sharding required) in auto mode: Discord's new recommendation when it is
// above the current count, else one more shard than now, so that the next try cannot be the
// count that was just refused.
int reshard_count(int current, std::optional<int> recommended);

}  // namespace tweetup
