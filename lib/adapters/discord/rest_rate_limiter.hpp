// Discord REST rate limits (protocols.md R8, R11, L13) as a pure state machine: it learns the
// buckets from response headers and says when a request may go. It never reads a clock and does
// no I/O; the shell passes `now` in and acts on the answers.
//
// Contract with the shell, per request:
//   1. if refused(route), drop the request (the token is invalid, or the webhook is gone);
//   2. ask wait_until(route, now); nullopt means send now. Otherwise wait until the instant it
//      gives, or until any on_response/on_transport_error, whichever comes first, and ask again.
//      time_point::max() means "no timer: wait for a response to come back";
//   3. call on_sent(route, now) right before writing the request;
//   4. call exactly one of on_response or on_transport_error for it, and act on the verdict.
//      `attempt` counts from 0 for the first try of a logical request.
//
// What it enforces: the global per-second budget (not for interaction callbacks), a global
// pause after a global 429, a pause of everything after a Cloudflare 429, and per bucket the
// remaining count until the reset instant. A route whose bucket is not known yet gets one
// request in flight at a time; its response teaches the limits. Nothing is hard-coded but the
// defaults below (R11: "don't hard-code limits").
//
// Memory stays bounded: bucket entries idle for idle_retention after their reset are dropped,
// checked at most once per sweep_interval. Not thread-safe; lives on the REST shell's executor.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "adapters/discord/rest_response_view.hpp"
#include "adapters/discord/rest_route.hpp"
#include "adapters/discord/rest_verdict.hpp"

namespace tweetup {

// The JSON error code of a Discord error body ({"code": 50013, "message": ...}), if it has one.
std::optional<long long> discord_error_code(std::string_view body);

class rest_rate_limiter {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  struct settings {
    std::size_t global_per_second = 50;  // R11: per bot, interaction endpoints excluded
    int max_attempts = 5;                // tries of one logical request, the first included
    // 5xx and transport failures wait (1 + 2 * attempt) * backoff_unit, as DPY does with 1 s.
    std::chrono::milliseconds backoff_unit{1000};
    // A Cloudflare 429 (no Via header, or a body that is not JSON) pauses every request this
    // long: retrying in a loop is what gets an IP banned (R11).
    std::chrono::milliseconds cloudflare_pause{60000};
    std::chrono::milliseconds idle_retention{300000};
    std::chrono::milliseconds sweep_interval{60000};
    // How long a webhook that answered 404, or refused its token with 401, stays refused;
    // interaction tokens die after 15 min.
    std::chrono::milliseconds dead_webhook_retention{3600000};
  };

  rest_rate_limiter();
  explicit rest_rate_limiter(settings config);

  std::optional<time_point> wait_until(const rest_route& route, time_point now) const;
  bool refused(const rest_route& route) const;

  void on_sent(const rest_route& route, time_point now);
  rest_verdict on_response(const rest_route& route, const rest_response_view& response, int attempt,
                           time_point now);
  // The request got no response (connect failure, reset, timeout). Frees its slot and answers
  // retry with the 5xx backoff, or give_up after max_attempts.
  rest_verdict on_transport_error(const rest_route& route, int attempt, time_point now);

  bool halted() const { return halted_; }
  // 401, 403 and non-shared 429 answers in the last 10 minutes: Cloudflare bans an IP that
  // passes 10,000 (R11). Worth a metric and a warning long before that.
  std::size_t invalid_requests(time_point now) const;
  // Bucket entries held, for tests and metrics.
  std::size_t tracked_buckets() const { return buckets_.size(); }

 private:
  struct bucket {
    bool learned = false;      // a response has told us this bucket's limits
    std::optional<int> limit;  // unset when learned without rate-limit headers: no bucket limit
    int remaining = 1;         // what we may still send in this window, our in-flight counted
    std::optional<time_point> reset_at;
    int in_flight = 0;
    time_point last_used{};
  };

  // Keys are found without a std::string made per lookup (C++20 heterogeneous lookup): the
  // limiter runs three times per REST call.
  struct key_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const {
      return std::hash<std::string_view>{}(key);
    }
  };
  using bucket_map = std::unordered_map<std::string, bucket, key_hash, std::equal_to<>>;

  // The bucket key of a route, and the key of its placeholder while its bucket is unknown.
  // Both are written into key_scratch_: valid until the next call of either.
  std::string_view key_for(const rest_route& route) const;
  std::string_view placeholder_key(const rest_route& route) const;
  const bucket* find_bucket(const rest_route& route) const;
  bucket& bucket_for(const rest_route& route);
  void release(const rest_route& route);
  void learn(const rest_route& route, const rest_response_view& response, time_point now);
  void note_invalid(time_point now);
  void sweep(time_point now);
  rest_verdict backoff(const rest_route& route, int attempt, time_point now, std::string what);

  settings config_;
  bool halted_ = false;
  std::optional<time_point> global_until_;
  std::optional<time_point> cloudflare_until_;
  std::deque<time_point> global_sent_;  // sends counted toward the global limit, last second
  std::unordered_map<std::string, std::string> bucket_hashes_;  // route_template -> hash
  bucket_map buckets_;  // "b:hash:majors", or "r:limiter_key" while the hash is unknown
  mutable std::string key_scratch_;
  std::unordered_map<std::string, time_point> dead_webhooks_;  // major_parameters -> when 404/401
  std::deque<time_point> invalid_;
  time_point next_sweep_{};
};

}  // namespace tweetup
