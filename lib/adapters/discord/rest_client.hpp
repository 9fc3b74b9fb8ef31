// The Discord REST client (protocols.md §1b): keep-alive HTTPS through http_client, every call
// paced by the pure rest_rate_limiter and retried as its verdicts say (R11, L13), with the
// headers every call needs (R2, L15).
//
// - request() is one logical call: it waits for the limiter, sends, and retries 429s, 5xx and
//   transport failures up to the limiter's attempt budget. It never throws.
// - submit() is fire-and-forget for replies: requests with the same limiter key (e.g. messages
//   to one channel) leave in the order submitted; different keys proceed side by side.
// - After a 401 every call fails at once without traffic (R11: stop using an invalid token).
// - queued() and queued_bytes() are the submitted calls not yet ended, the one being sent
//   included; the load observer runs after every change of them (backpressure, rest_backpressure).
// Executor: everything runs on the executor given to the constructor; not thread-safe. The
// client must outlive the calls it started; stop() ends them soon. The token is written into
// the Authorization header only and never logged.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>

#include "adapters/discord/rest_rate_limiter.hpp"
#include "adapters/discord/rest_route.hpp"
#include "adapters/discord/route_cache.hpp"
#include "adapters/transport/http_client.hpp"

namespace tweetup {

struct rest_client_options {
  std::string api_base = "https://discord.com/api/v10";  // http:// only for loopback (tests)
  std::string token;                                     // bare bot token
  std::string user_agent = "DiscordBot (https://github.com/tweetup/tweetup, 0.1.0)";
  std::string ca_file;
  rest_rate_limiter::settings limits;
  // Keep-alive connections to Discord. Its limits are per route and global, not per
  // connection, and a reply waits a round trip on its connection: with 8, replies to many
  // channels leave side by side and the global 50/s is reachable at 150 ms of latency.
  std::size_t max_connections = 8;
  // submit() beyond this drops the request with an error log: a safety valve against unbounded
  // memory, far above what a burst of 20,000 commands queues (about 300 bytes each).
  std::size_t max_queued = 50000;
};

struct rest_result {
  int status = 0;     // the HTTP status; 0 when no response came (refused, transport, stopped)
  std::string body;   // the response body
  std::string error;  // words for a log line when !ok(); never contains the token
  bool ok() const { return status >= 200 && status < 300; }
};

class rest_client {
 public:
  using completion = std::function<void(const rest_result&)>;

  struct counters {
    std::uint64_t requests = 0;      // HTTP requests written, retries included
    std::uint64_t rate_limited = 0;  // 429 answers
    std::uint64_t retries = 0;
    std::uint64_t failures = 0;  // logical calls that ended without a 2xx
  };

  rest_client(async::executor ex, rest_client_options options);
  ~rest_client();
  rest_client(const rest_client&) = delete;
  rest_client& operator=(const rest_client&) = delete;

  // Whether a call is sent again after a failure that may have come after Discord acted on it:
  // a 5xx, or no answer once the request may have arrived (RFC 9112 §9.3.1: a request that is
  // not idempotent is not retried blindly). `only_if_unsent` is for a POST that Discord cannot
  // deduplicate (a webhook's message, a scheduled event); a channel message carries its nonce
  // and an interaction callback a second time is refused (40060), so both may repeat. A 429,
  // or a connection that was never made, is retried either way.
  enum class repeat { allowed, only_if_unsent };

  // `path` is relative to api_base ("/channels/1/messages"); `body` is JSON text or empty.
  async::task<rest_result> request(std::string method, std::string path, std::string body = {},
                                   repeat policy = repeat::allowed);
  // Queues the call behind earlier ones with the same limiter key; `done` (optional) runs on
  // the executor when it ends.
  void submit(std::string method, std::string path, std::string body, completion done = {},
              repeat policy = repeat::allowed);
  // Waits until every submitted call has ended, or until `deadline`; true when none is left.
  async::task<bool> flush(std::chrono::steady_clock::time_point deadline);
  // Ends every wait and drops queued calls; calls in flight end with status 0.
  void stop();

  const counters& stats() const { return stats_; }
  std::size_t queued() const;
  // The method, path and body bytes of the queued() calls.
  std::size_t queued_bytes() const { return queued_bytes_; }
  // The most calls and bytes queued at once since construction (a log line at shutdown).
  std::size_t peak_queued() const { return peak_queued_; }
  std::size_t peak_queued_bytes() const { return peak_queued_bytes_; }
  // Runs on the executor after queued() or queued_bytes() changed; may submit() or stop().
  void on_load_change(std::function<void()> observer) { load_observer_ = std::move(observer); }
  bool halted() const { return limiter_.halted(); }

 private:
  using clock = std::chrono::steady_clock;
  struct job {
    std::shared_ptr<const rest_route> route;
    std::string body;
    completion done;
    // Counted at submit(): the drainer moves route and body out while the job stays queued.
    std::size_t bytes = 0;
    repeat policy = repeat::allowed;
  };

  // request() for a route already made; `route` is never null.
  async::task<rest_result> send(std::shared_ptr<const rest_route> route, std::string body,
                                repeat policy);
  async::task<void> drain(std::string key);
  // How long an idle drainer waits for more, and how many may wait at once (interaction
  // callbacks each have a key of their own, used once).
  static constexpr std::chrono::milliseconds linger{1000};
  static constexpr std::size_t max_parked = 64;
  // Sleeps until `at`, or until the limiter learns something new, or stop().
  async::task<void> wait(clock::time_point at);
  void limiter_changed();
  void load_changed();
  rest_result finish(rest_result r, const rest_route& route);

  async::executor ex_;
  rest_client_options options_;
  std::string path_prefix_;  // api_base's path, e.g. "/api/v10"
  http_client http_;
  rest_rate_limiter limiter_;
  route_cache routes_;
  std::unordered_map<std::string, std::deque<job>> queues_;  // by limiter key
  std::vector<boost::asio::steady_timer*> waiters_;
  // Drainers whose queue ran empty, waiting a while for the next call with their key. A channel
  // that gets a reply every few milliseconds then keeps one drainer instead of starting one
  // per reply: co_spawn and the end of a coroutine cost more than the rest of queueing it.
  std::unordered_map<std::string, boost::asio::steady_timer*> parked_;
  std::size_t queued_ = 0;
  std::size_t queued_bytes_ = 0;
  std::size_t peak_queued_ = 0;
  std::size_t peak_queued_bytes_ = 0;
  std::function<void()> load_observer_;
  counters stats_;
  bool stopping_ = false;
};

}  // namespace tweetup
