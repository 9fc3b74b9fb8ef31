#include "adapters/discord/rest_rate_limiter.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <utility>

namespace tweetup {

namespace {

using json = nlohmann::json;
using time_point = rest_rate_limiter::time_point;
using steady_duration = std::chrono::steady_clock::duration;
using action = rest_verdict::action;

// Cloudflare's ban counts invalid requests over ten minutes (R11).
constexpr std::chrono::minutes invalid_window{10};
constexpr std::size_t invalid_cap = 20000;
constexpr std::chrono::seconds global_window{1};
constexpr time_point never = time_point::max();

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
    text.remove_suffix(1);
  return text;
}

// No bucket allows anywhere near this many requests per window.
constexpr int max_count = 1000000;

// X-RateLimit-Limit and -Remaining. Clamped to [0, max_count] so that learn()'s arithmetic
// (remaining + 1, remaining - in_flight) cannot overflow, whatever int a header holds (the
// regress-* inputs of tests/fuzz/discord_input_fuzz); a negative count still means none left.
std::optional<int> parse_count(std::optional<std::string_view> text) {
  if (!text) return std::nullopt;
  const auto value = trimmed(*text);
  int parsed = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), parsed);
  if (error != std::errc{} || end != value.data() + value.size()) return std::nullopt;
  return std::clamp(parsed, 0, max_count);
}

// L13: Reset-After and retry_after carry fractions of a second ("0.352"); truncating them to
// whole seconds, as DPP does, either wastes time or sends early.
std::optional<double> parse_seconds(std::optional<std::string_view> text) {
  if (!text) return std::nullopt;
  const auto value = trimmed(*text);
  double parsed = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), parsed);
  if (error != std::errc{} || end != value.data() + value.size() || !std::isfinite(parsed)) {
    return std::nullopt;
  }
  return parsed;
}

// Rounded to the microsecond so "1.234" is exactly 1234 ms, not 1233.999999 ms; clamped so a
// hostile header cannot overflow a time_point.
steady_duration from_seconds(double seconds) {
  const double clamped = std::clamp(seconds, 0.0, 86400.0);
  return std::chrono::duration_cast<steady_duration>(
      std::chrono::round<std::chrono::microseconds>(std::chrono::duration<double>(clamped)));
}

bool is_true(std::optional<std::string_view> text) {
  if (!text) return false;
  const auto value = trimmed(*text);
  return value == "true" || value == "True" || value == "1";
}

// DDOCS topics/opcodes-and-status-codes.mdx §JSON Error Codes.
constexpr long long unknown_message = 10008;

// Discord's error body {"code": 50013, "message": "Missing Permissions"}, for the log line.
std::string discord_error(std::string_view body) {
  const auto parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return {};
  std::string text;
  if (const auto code = parsed.find("code"); code != parsed.end() && code->is_number_integer()) {
    text += " code " + std::to_string(code->get<long long>());
  }
  if (const auto message = parsed.find("message");
      message != parsed.end() && message->is_string()) {
    auto words = message->get<std::string>();
    if (words.size() > 120) words.resize(120);
    text += ": " + words;
  }
  return text;
}

std::string milliseconds_text(steady_duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
}

// What a learned bucket may still send at `now`: after the reset instant the window starts over,
// with the requests still in flight counted against the new window to be safe.
int effective_remaining(int limit, int remaining, const std::optional<time_point>& reset_at,
                        int in_flight, time_point now) {
  if (reset_at && now >= *reset_at) return std::max(0, limit - in_flight);
  return remaining;
}

}  // namespace

std::optional<long long> discord_error_code(std::string_view body) {
  const auto parsed = json::parse(body, nullptr, false);
  if (!parsed.is_object()) return std::nullopt;
  const auto code = parsed.find("code");
  if (code == parsed.end() || !code->is_number_integer()) return std::nullopt;
  return code->get<long long>();
}

rest_rate_limiter::rest_rate_limiter() : rest_rate_limiter(settings{}) {}

rest_rate_limiter::rest_rate_limiter(settings config) : config_(std::move(config)) {}

std::string_view rest_rate_limiter::key_for(const rest_route& route) const {
  // R11: a bucket hash is shared by several routes but limits each major parameter separately
  // (DPY: f'{bucket_hash}:{route.major_parameters}'). Until the hash is known, the route itself
  // stands in for it.
  const auto hash = bucket_hashes_.find(route.route_template);
  if (hash == bucket_hashes_.end()) return placeholder_key(route);
  key_scratch_.assign("b:").append(hash->second).append(":").append(route.major_parameters);
  return key_scratch_;
}

std::string_view rest_rate_limiter::placeholder_key(const rest_route& route) const {
  key_scratch_.assign("r:").append(route.limiter_key);
  return key_scratch_;
}

const rest_rate_limiter::bucket* rest_rate_limiter::find_bucket(const rest_route& route) const {
  const auto found = buckets_.find(key_for(route));
  return found == buckets_.end() ? nullptr : &found->second;
}

rest_rate_limiter::bucket& rest_rate_limiter::bucket_for(const rest_route& route) {
  const std::string_view key = key_for(route);
  auto found = buckets_.find(key);
  if (found == buckets_.end()) found = buckets_.emplace(std::string(key), bucket{}).first;
  return found->second;
}

bool rest_rate_limiter::refused(const rest_route& route) const {
  if (halted_) return true;
  return route.is_webhook && dead_webhooks_.count(route.major_parameters) > 0;
}

std::optional<time_point> rest_rate_limiter::wait_until(const rest_route& route,
                                                        time_point now) const {
  if (refused(route)) return never;
  time_point until = now;
  // A Cloudflare block is per IP, so it holds back interaction callbacks too.
  if (cloudflare_until_) until = std::max(until, *cloudflare_until_);
  if (route.counts_toward_global) {
    if (global_until_) until = std::max(until, *global_until_);
    if (config_.global_per_second > 0) {
      const auto first_in_window =
          std::upper_bound(global_sent_.begin(), global_sent_.end(), now - global_window);
      const auto in_window = static_cast<std::size_t>(global_sent_.end() - first_in_window);
      if (in_window >= config_.global_per_second) {
        // The window drops below the budget when this send is one second old.
        const auto oldest_to_expire =
            global_sent_.end() - static_cast<std::ptrdiff_t>(config_.global_per_second);
        until = std::max(until, *oldest_to_expire + global_window);
      }
    }
  }
  if (const bucket* b = find_bucket(route)) {
    if (!b->learned) {
      // Unknown limits: one request at a time until the first response teaches them.
      if (b->in_flight > 0) return never;
    } else if (b->limit) {
      if (effective_remaining(*b->limit, b->remaining, b->reset_at, b->in_flight, now) <= 0) {
        if (b->reset_at && now < *b->reset_at) {
          until = std::max(until, *b->reset_at);
        } else if (b->in_flight > 0) {
          return never;  // the window rolled over; the answers on their way tell the new one
        }
        // Else the window rolled over and the requests sent since taught nothing (no answer,
        // or one without rate-limit headers): no reset will come to wait for. One request at
        // a time, as for an unknown bucket, until an answer tells the window again.
      }
    }
  }
  if (until > now) return until;
  return std::nullopt;
}

void rest_rate_limiter::on_sent(const rest_route& route, time_point now) {
  if (halted_) return;
  sweep(now);
  if (route.counts_toward_global) {
    while (!global_sent_.empty() && global_sent_.front() <= now - global_window)
      global_sent_.pop_front();
    global_sent_.push_back(now);
  }
  bucket& b = bucket_for(route);
  if (b.learned && b.limit) {
    if (b.reset_at && now >= *b.reset_at) {
      // The window rolled over; its new reset comes with the next response.
      b.remaining = std::max(0, *b.limit - b.in_flight);
      b.reset_at.reset();
    }
    b.remaining = std::max(0, b.remaining - 1);
  }
  ++b.in_flight;
  b.last_used = now;
}

void rest_rate_limiter::release(const rest_route& route) {
  // The slot was taken under the route's own key while its bucket was unknown, or under the
  // bucket's key; the unknown one is the older request, so it is freed first.
  for (const bool placeholder : {true, false}) {
    const auto found = buckets_.find(placeholder ? placeholder_key(route) : key_for(route));
    if (found != buckets_.end() && found->second.in_flight > 0) {
      --found->second.in_flight;
      return;
    }
  }
}

void rest_rate_limiter::learn(const rest_route& route, const rest_response_view& response,
                              time_point now) {
  const auto hash = response.header("X-RateLimit-Bucket");
  if (hash && !hash->empty()) {
    // assign(), not a new string: every response repeats the hash, and the old one's room
    // takes it without an allocation.
    bucket_hashes_[route.route_template].assign(trimmed(*hash));
    // The placeholder entry of the unknown route is done with once its bucket has a name.
    const auto placeholder = buckets_.find(placeholder_key(route));
    if (placeholder != buckets_.end() && placeholder->second.in_flight == 0) {
      buckets_.erase(placeholder);
    }
  }

  bucket& b = bucket_for(route);
  b.last_used = now;
  const auto remaining = parse_count(response.header("X-RateLimit-Remaining"));
  if (!remaining) {
    // No rate-limit headers: this route has no bucket limit, only the global one.
    if (!b.learned) {
      b.learned = true;
      b.limit.reset();
    }
    return;
  }
  const auto limit = parse_count(response.header("X-RateLimit-Limit"));
  const auto reset_after = parse_seconds(response.header("X-RateLimit-Reset-After"));

  // The header counts this request and maybe some of ours still in flight; assume it counts
  // none of them. Within one window our own count only goes down, so keep the lower one.
  const int fresh = std::max(0, *remaining - b.in_flight);
  const bool same_window = b.learned && b.limit && b.reset_at && now < *b.reset_at;
  b.remaining = same_window ? std::min(b.remaining, fresh) : fresh;
  b.limit = std::max(1, limit.value_or(b.limit.value_or(std::max(1, *remaining + 1))));
  // Without Reset-After a spent bucket would have no instant to wake at; one second is
  // Discord's shortest window.
  b.reset_at = now + (reset_after ? from_seconds(*reset_after) : steady_duration{global_window});
  b.learned = true;
}

void rest_rate_limiter::note_invalid(time_point now) {
  while (!invalid_.empty() && invalid_.front() <= now - invalid_window)
    invalid_.pop_front();
  if (invalid_.size() >= invalid_cap) invalid_.pop_front();
  invalid_.push_back(now);
}

std::size_t rest_rate_limiter::invalid_requests(time_point now) const {
  const auto first = std::upper_bound(invalid_.begin(), invalid_.end(), now - invalid_window);
  return static_cast<std::size_t>(invalid_.end() - first);
}

void rest_rate_limiter::sweep(time_point now) {
  if (now < next_sweep_) return;
  next_sweep_ = now + config_.sweep_interval;
  // An entry idle this long after its reset holds nothing worth keeping: its next request
  // relearns it. An in-flight count this old belongs to a request the shell lost.
  std::erase_if(buckets_, [&](const auto& entry) {
    const bucket& b = entry.second;
    const bool reset_passed = !b.reset_at || *b.reset_at <= now;
    return reset_passed && b.last_used + config_.idle_retention <= now;
  });
  std::erase_if(dead_webhooks_, [&](const auto& entry) {
    return entry.second + config_.dead_webhook_retention <= now;
  });
}

rest_verdict rest_rate_limiter::backoff(const rest_route& route, int attempt, time_point now,
                                        std::string what) {
  if (attempt + 1 >= config_.max_attempts) {
    return {action::give_up, now,
            what + " on " + route.route_template + ", giving up after " +
                std::to_string(attempt + 1) + " attempts"};
  }
  // DPY http.py: sleep 1 + tries * 2 seconds between tries.
  const auto delay = (1 + 2 * std::max(0, attempt)) * config_.backoff_unit;
  return {action::retry, now + delay,
          what + " on " + route.route_template + ", retrying in " + milliseconds_text(delay)};
}

rest_verdict rest_rate_limiter::on_transport_error(const rest_route& route, int attempt,
                                                   time_point now) {
  release(route);
  if (const auto found = buckets_.find(key_for(route)); found != buckets_.end()) {
    found->second.last_used = now;
  }
  if (halted_) return {action::stop_all, now, "the bot token was rejected earlier (401)"};
  return backoff(route, attempt, now, "no response");
}

rest_verdict rest_rate_limiter::on_response(const rest_route& route,
                                            const rest_response_view& response, int attempt,
                                            time_point now) {
  release(route);
  learn(route, response, now);
  sweep(now);
  const int status = response.status;
  // A success has nothing to log, so no reason is worded for it: this runs for every reply.
  if (status >= 200 && status < 300) return {action::done, now};
  const std::string where = " on " + route.route_template;

  if (status == 401 && route.is_webhook) {
    // A webhook's token is in its URL, and an interaction's expires after 15 minutes: Discord
    // then answers 401 (50027 Invalid Webhook Token). That token is dead, not the bot's.
    note_invalid(now);
    dead_webhooks_[route.major_parameters] = now;
    return {action::done, now,
            "401" + where + discord_error(response.body) +
                " (the webhook's token was refused; it is refused from now on)"};
  }
  if (status == 401) {
    // R11: an invalid bot token only adds to the invalid-request count; stop everything.
    note_invalid(now);
    halted_ = true;
    return {action::stop_all, now,
            "401 unauthorized" + where +
                ": the bot token is invalid; every REST request stops until it is replaced"};
  }

  if (status == 429) {
    const auto body = json::parse(response.body, nullptr, false);
    const bool body_is_json = !body.is_discarded() && body.is_object();
    if (!response.header("Via") || !body_is_json) {
      // R11 / DPY http.py: Discord's own 429s come through its proxy (Via) with a JSON body;
      // anything else is Cloudflare refusing us, and hammering it extends the ban.
      note_invalid(now);
      const time_point until = now + config_.cloudflare_pause;
      cloudflare_until_ = std::max(cloudflare_until_.value_or(until), until);
      const std::string what = "429" + where +
                               " came from Cloudflare, not Discord (no Via header or a non-JSON "
                               "body): every request paused for " +
                               milliseconds_text(config_.cloudflare_pause);
      if (attempt + 1 >= config_.max_attempts) {
        return {action::give_up, now, what + ", giving up", "cloudflare"};
      }
      return {action::retry, *cloudflare_until_, what, "cloudflare"};
    }

    std::optional<double> retry_after;
    if (const auto field = body.find("retry_after");
        field != body.end() && field->is_number() && std::isfinite(field->get<double>())) {
      retry_after = field->get<double>();
    }
    if (!retry_after) retry_after = parse_seconds(response.header("Retry-After"));
    if (!retry_after) retry_after = parse_seconds(response.header("X-RateLimit-Reset-After"));
    const time_point at = now + from_seconds(retry_after.value_or(1.0));

    const auto scope_header = response.header("X-RateLimit-Scope");
    const std::string_view scope = scope_header ? trimmed(*scope_header) : std::string_view{};
    const auto global_field = body.find("global");
    const bool global =
        (global_field != body.end() && global_field->is_boolean() && global_field->get<bool>()) ||
        is_true(response.header("X-RateLimit-Global")) || scope == "global";
    // R11: a shared-resource 429 is not counted toward the Cloudflare ban.
    const bool shared = scope == "shared";
    if (!shared) note_invalid(now);

    std::string what = "429";
    if (global) {
      // R11 / DPY _global_over: a global 429 holds every request that counts toward it.
      global_until_ = std::max(global_until_.value_or(at), at);
      what += " global";
    } else {
      bucket& b = bucket_for(route);
      if (!b.learned || !b.limit) {
        b.learned = true;
        b.limit = 1;
      }
      b.remaining = 0;
      b.reset_at = std::max(b.reset_at.value_or(at), at);
      b.last_used = now;
      what += shared ? " shared" : "";
    }
    what += " rate limit" + where + ", retry after " + milliseconds_text(at - now);
    const std::string_view counted_scope = global            ? "global"
                                           : shared          ? "shared"
                                           : scope == "user" ? "user"
                                                             : "unknown";
    if (attempt + 1 >= config_.max_attempts) {
      return {action::give_up, now, what + ", giving up", counted_scope};
    }
    return {action::retry, at, what, counted_scope};
  }

  if (status == 500 || status == 502 || status == 503 || status == 504 || status == 524) {
    return backoff(route, attempt, now, std::to_string(status) + " server error");
  }

  std::string reason = std::to_string(status) + where + discord_error(response.body);
  if (status == 403) {
    note_invalid(now);
    reason += " (not retried: the bot lacks a permission or access)";
  } else if (status == 404 && route.is_webhook &&
             discord_error_code(response.body) != unknown_message) {
    // R11: stop using a webhook that returns 404; for an interaction the token has expired.
    // Unknown Message is about one of its messages (an original someone deleted), not the
    // webhook: its other calls still work.
    dead_webhooks_[route.major_parameters] = now;
    reason += " (the webhook is gone; it is refused from now on)";
  } else {
    reason += " (not retried)";
  }
  return {action::done, now, reason};
}

}  // namespace tweetup
