#include "adapters/discord/rest_client.hpp"

#include <algorithm>
#include <utility>

#include "adapters/transport/parsed_url.hpp"
#include "async/supervise.hpp"
#include "logging/layer_log.hpp"
#include "metrics/bot_metrics.hpp"

namespace tweetup {
namespace asio = async::asio;

namespace {

struct split_base {
  std::string origin;
  std::string prefix;
};

// "https://discord.com/api/v10" -> origin "https://discord.com", prefix "/api/v10". A URL that
// does not parse leaves the origin empty, and http_client then fails every call with a reason.
split_base split(const std::string& api_base) {
  auto url = parse_url(api_base);
  if (!url) return {};
  std::string prefix = url->target;
  while (!prefix.empty() && prefix.back() == '/')
    prefix.pop_back();
  return {url->origin(), prefix};
}

// A transport failure that left the request unsent: no connection was made. Anything later
// (a reset, a timeout, a cut response) may have come after Discord read the request.
bool never_arrived(const boost::system::error_code& ec) {
  return ec == asio::error::connection_refused || ec == asio::error::host_not_found ||
         ec == asio::error::host_not_found_try_again || ec == asio::error::host_unreachable ||
         ec == asio::error::network_unreachable;
}

constexpr const char* not_repeated = " (not retried: Discord may have acted on it already)";

// Discord's error bodies ({"message", "code", "errors"}) say what was wrong; a line of it is
// enough for the log, and it never holds the token.
std::string excerpt(const std::string& body) {
  constexpr std::size_t most = 300;
  std::string out = body.substr(0, most);
  std::replace(out.begin(), out.end(), '\n', ' ');
  if (body.size() > most) out += "…";
  return out;
}

// tweetup_rest_rate_limited_total by the limiter's scope; the series are looked up once each.
void count_rate_limited(std::string_view scope) {
  auto& family = metrics::bot_metrics::get().rest_rate_limited;
  static metrics::counter& global = family.with({"global"});
  static metrics::counter& shared = family.with({"shared"});
  static metrics::counter& user = family.with({"user"});
  static metrics::counter& cloudflare = family.with({"cloudflare"});
  static metrics::counter& unknown = family.with({"unknown"});
  if (scope == "global") {
    global.inc();
  } else if (scope == "shared") {
    shared.inc();
  } else if (scope == "user") {
    user.inc();
  } else if (scope == "cloudflare") {
    cloudflare.inc();
  } else {
    unknown.inc();
  }
}

}  // namespace

rest_client::rest_client(async::executor ex, rest_client_options options)
    : ex_(ex),
      options_(std::move(options)),
      path_prefix_(split(options_.api_base).prefix),
      http_(ex, split(options_.api_base).origin, tls_options{options_.ca_file, true},
            [&] {
              http_client_options o;
              o.max_connections = options_.max_connections;
              // R2, L15: on every call, written out once by the HTTP client.
              o.fixed_headers = {{"Authorization", "Bot " + options_.token},
                                 {"User-Agent", options_.user_agent}};
              return o;
            }()),
      limiter_(options_.limits) {
  options_.token.clear();  // the HTTP client's Authorization line holds the one copy
}

rest_client::~rest_client() = default;

std::size_t rest_client::queued() const {
  return queued_;
}

void rest_client::limiter_changed() {
  for (auto* timer : waiters_)
    timer->cancel();
}

void rest_client::load_changed() {
  peak_queued_ = std::max(peak_queued_, queued_);
  peak_queued_bytes_ = std::max(peak_queued_bytes_, queued_bytes_);
  if (load_observer_) load_observer_();
}

void rest_client::stop() {
  if (stopping_) return;
  stopping_ = true;
  for (auto& [key, jobs] : queues_) {
    for (auto& j : jobs) {
      if (j.done) j.done(rest_result{0, {}, "stopped before it was sent"});
    }
    queued_ -= jobs.size();
    for (const auto& j : jobs)
      queued_bytes_ -= j.bytes;
    jobs.clear();
  }
  queues_.clear();
  for (auto& [key, timer] : parked_)
    timer->cancel();
  limiter_changed();
  http_.close();
  load_changed();
}

async::task<void> rest_client::wait(clock::time_point at) {
  boost::asio::steady_timer timer(ex_);
  timer.expires_at(at);
  waiters_.push_back(&timer);
  auto [ec] = co_await timer.async_wait(async::nothrow);
  (void)ec;
  waiters_.erase(std::find(waiters_.begin(), waiters_.end(), &timer));
}

rest_result rest_client::finish(rest_result r, const rest_route& route) {
  if (!r.ok()) {
    ++stats_.failures;
    layer_log("discord")->warn("{} failed: {}", route.route_template, r.error);
  }
  return r;
}

async::task<rest_result> rest_client::request(std::string method, std::string path,
                                              std::string body, repeat policy) {
  auto result = co_await send(routes_.get(method, path), std::move(body), policy);
  co_return result;
}

async::task<rest_result> rest_client::send(std::shared_ptr<const rest_route> shared_route,
                                           std::string body, repeat policy) {
  const rest_route& route = *shared_route;
  auto log = layer_log("discord");
  for (int attempt = 0;; ++attempt) {
    for (;;) {
      if (stopping_) co_return finish({0, {}, "stopped"}, route);
      if (limiter_.refused(route)) {
        co_return finish(
            {0,
             {},
             limiter_.halted() ? "the token was refused (401)" : "the webhook is gone (404)"},
            route);
      }
      const auto at = limiter_.wait_until(route, clock::now());
      if (!at) break;
      co_await wait(*at);
    }
    limiter_.on_sent(route, clock::now());
    http_request out;
    out.method = route.method;
    out.target = path_prefix_ + route.path;
    // Authorization and User-Agent are the HTTP client's fixed headers.
    if (!body.empty()) out.headers.push_back({"Content-Type", "application/json"});
    out.body = body;
    ++stats_.requests;
    auto [ec, response] = co_await http_.send(std::move(out));
    rest_verdict verdict;
    if (ec) {
      verdict = limiter_.on_transport_error(route, attempt, clock::now());
      limiter_changed();
      if (verdict.what == rest_verdict::action::done) {
        co_return finish({0, {}, http_.last_error_text()}, route);
      }
      if (policy == repeat::only_if_unsent && verdict.what == rest_verdict::action::retry &&
          !never_arrived(ec)) {
        co_return finish({0, {}, http_.last_error_text() + not_repeated}, route);
      }
      log->warn("{}: {} ({})", route.route_template, http_.last_error_text(), verdict.reason);
    } else {
      rest_response_view view;
      view.status = static_cast<int>(response.status);
      // Views into `response`, which outlives on_response below.
      view.headers.reserve(response.field_count());
      for (const auto field : response.fields())
        view.headers.emplace_back(field.name, field.value);
      view.body = response.body;
      verdict = limiter_.on_response(route, view, attempt, clock::now());
      limiter_changed();
      if (response.status == 429) {
        ++stats_.rate_limited;
        count_rate_limited(verdict.rate_limit_scope);
      }
      if (verdict.what == rest_verdict::action::done) {
        rest_result r{static_cast<int>(response.status), std::move(response.body), {}};
        if (!r.ok()) r.error = "HTTP " + std::to_string(r.status) + ": " + excerpt(r.body);
        co_return finish(std::move(r), route);
      }
      if (verdict.what != rest_verdict::action::retry) {
        rest_result r{static_cast<int>(response.status), std::move(response.body), {}};
        r.error = verdict.reason;
        if (verdict.what == rest_verdict::action::stop_all) {
          log->critical(
              "Discord refused the bot token (401); no more REST calls will be made. "
              "Check TWEETUP_DISCORD_TOKEN.");
        }
        co_return finish(std::move(r), route);
      }
      if (policy == repeat::only_if_unsent && response.status >= 500) {
        rest_result r{static_cast<int>(response.status), std::move(response.body), {}};
        r.error = "HTTP " + std::to_string(r.status) + not_repeated;
        co_return finish(std::move(r), route);
      }
      log->warn("{}: HTTP {}, {}", route.route_template, response.status, verdict.reason);
    }
    if (verdict.what != rest_verdict::action::retry) {
      co_return finish({0, {}, verdict.reason}, route);
    }
    ++stats_.retries;
    while (!stopping_ && clock::now() < verdict.at) {
      co_await wait(verdict.at);
    }
  }
}

async::task<bool> rest_client::flush(clock::time_point deadline) {
  // Every response wakes the waiters (limiter_changed), so this re-checks as calls end.
  while (queued_ > 0 && !stopping_ && clock::now() < deadline) {
    co_await wait(deadline);
  }
  co_return queued_ == 0;
}

void rest_client::submit(std::string method, std::string path, std::string body, completion done,
                         repeat policy) {
  // The route travels with the job, shared with every call to the same path (route_cache).
  auto route = routes_.get(method, path);
  if (stopping_ || queued_ >= options_.max_queued) {
    const char* why = stopping_ ? "stopping" : "too many queued REST calls";
    layer_log("discord")->error("{} dropped: {}", route->route_template, why);
    if (done) done(rest_result{0, {}, why});
    return;
  }
  auto& jobs = queues_[route->limiter_key];
  const bool idle = jobs.empty();
  const std::size_t bytes = route->method.size() + route->path.size() + body.size();
  jobs.push_back({std::move(route), std::move(body), std::move(done), bytes, policy});
  ++queued_;
  queued_bytes_ += bytes;
  if (idle) {
    const std::string& key = jobs.back().route->limiter_key;  // held by the job's route
    if (const auto parked = parked_.find(key); parked != parked_.end()) {
      parked->second->cancel();
    } else {
      async::supervise(ex_, drain(key), "discord rest queue");
    }
  }
  load_changed();
}

async::task<void> rest_client::drain(std::string key) {
  for (;;) {
    auto it = queues_.find(key);
    if (it == queues_.end()) co_return;  // stop() emptied it
    if (it->second.empty()) {
      if (stopping_ || parked_.size() >= max_parked) {
        queues_.erase(it);
        co_return;
      }
      // Parked: submit() wakes it by cancelling the timer; otherwise it ends at expiry.
      boost::asio::steady_timer timer(ex_, clock::now() + linger);
      parked_.emplace(key, &timer);
      auto [ec] = co_await timer.async_wait(async::nothrow);
      (void)ec;  // cancelled by submit() or stop(), or expired: the queue says which
      parked_.erase(key);
      it = queues_.find(key);
      if (it == queues_.end()) co_return;
      if (it->second.empty()) {
        queues_.erase(it);
        co_return;
      }
    }
    // The job stays at the front while it runs, so a submit() meanwhile sees a busy queue and
    // does not start a second drainer for the key; its route and body travel with the send.
    job& front = it->second.front();
    auto result = co_await send(std::move(front.route), std::move(front.body), front.policy);
    it = queues_.find(key);
    if (it == queues_.end() || it->second.empty()) co_return;  // stop() emptied it
    completion done = std::move(it->second.front().done);
    queued_bytes_ -= it->second.front().bytes;
    it->second.pop_front();
    --queued_;
    limiter_changed();  // wakes flush()
    if (done) done(result);
    load_changed();
  }
}

}  // namespace tweetup
