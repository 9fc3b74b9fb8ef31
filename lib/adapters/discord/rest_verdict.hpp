// What the REST shell does with a request after its response (protocols.md R11), as decided by
// rest_rate_limiter::on_response. Pure data.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>

namespace tweetup {

struct rest_verdict {
  using time_point = std::chrono::steady_clock::time_point;

  enum class action {
    // Finished: a 2xx, or a failure that retrying cannot fix (400, 403, 404, ...). The shell
    // tells success from failure by the status it holds.
    done,
    // Send the same request again, not before `at`, and only when wait_until allows it then.
    retry,
    // A retryable failure, but the attempts are used up.
    give_up,
    // 401: the token is invalid. The limiter refuses every request from now on (R11).
    stop_all,
  };

  // A constructor rather than an aggregate, so `{action::retry, at, reason}` needs no scope.
  rest_verdict(action what_to_do = action::done, time_point when = {}, std::string why = {},
               std::string_view scope = {})
      : what(what_to_do), at(when), reason(std::move(why)), rate_limit_scope(scope) {}

  action what = action::done;
  time_point at{};     // for retry: the earliest instant to try again
  std::string reason;  // one short phrase for the log (none for a 2xx); never contains a token
  // A 429's scope, for the metrics: "global", "shared", "user" (a per-route bucket, as Discord's
  // X-RateLimit-Scope says), "unknown" when Discord said none, or "cloudflare" when the 429 came
  // from Cloudflare rather than Discord. Empty for any other status.
  std::string_view rate_limit_scope;
};

}  // namespace tweetup
