// rest_client against the project's own HTTP server (the ops endpoint's) on 127.0.0.1, one
// io_context and one thread. What is checked is the queueing: calls with one limiter key leave
// in the order submitted, whether their key's drainer is busy, waiting for more work, or gone,
// and stop() ends the drainers that wait. The limiter and the HTTP client have tests of their
// own. Nothing sleeps: each round is submitted from a posted handler, after the round before
// ended and its drainers went idle.
#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>

#include "adapters/discord/rest_client.hpp"
#include "adapters/transport/http_server.hpp"
#include "async/asio.hpp"

namespace {

using namespace tweetup;
namespace asio = boost::asio;
using std::chrono::steady_clock;

TEST_CASE("rest_client: per-key order holds across idle drainers, and stop() ends them") {
  asio::io_context io{1};
  std::map<std::string, std::vector<std::string>> bodies_by_path;  // as the server got them
  // The ops server hands the handler no body, so each call says what it is in its path's query,
  // which never selects a different limit (make_route drops it).
  http_server recorder(
      io.get_executor(),
      [&](const http_server_request& r) {
        const auto query = r.target.find('?');
        bodies_by_path[r.target.substr(0, query)].push_back(r.target.substr(query + 1));
        http_server_reply reply;
        reply.content_type = "application/json";
        reply.body = "{}";
        return reply;
      },
      http_server_options{.body_limit = 1024});
  REQUIRE_FALSE(recorder.listen("127.0.0.1", 0));

  rest_client_options options;
  options.api_base = "http://127.0.0.1:" + std::to_string(recorder.port()) + "/api/v10";
  options.token = "test-token";
  options.limits.global_per_second = 1'000'000;  // the queueing is under test, not the limit
  rest_client rest(io.get_executor(), options);

  // More channels than drainers may wait at once (64), so some drainers end and are started
  // again, and the others are woken.
  constexpr int channels = 70;
  constexpr int rounds = 3;
  int finished = 0;
  std::optional<steady_clock::time_point> stopped_at;
  std::function<void(int, int)> submit_round = [&](int channel, int round) {
    const std::string path = "/channels/" + std::to_string(100000 + channel) + "/messages";
    // Two calls at once: the second waits behind the first on the same key.
    for (const char* part : {"a", "b"}) {
      const bool last = *part == 'b';
      rest.submit("POST", path + "?" + std::to_string(round) + part, "{}",
                  [&, channel, round, last](const rest_result& r) {
                    CHECK(r.ok());
                    if (!last) return;
                    ++finished;
                    if (round < rounds) {
                      // Posted: the key's drainer has gone idle by the time it runs.
                      asio::post(io, [&, channel, round] { submit_round(channel, round + 1); });
                    } else if (finished == channels * rounds) {
                      stopped_at = steady_clock::now();
                      rest.stop();
                      recorder.stop();
                    }
                  });
    }
  };
  for (int c = 0; c < channels; ++c)
    submit_round(c, 1);
  io.run();

  CHECK(finished == channels * rounds);
  REQUIRE(bodies_by_path.size() == channels);
  for (const auto& [path, seen] : bodies_by_path) {
    CAPTURE(path);
    CHECK(seen == std::vector<std::string>{"1a", "1b", "2a", "2b", "3a", "3b"});
  }
  // run() returned once stop() had ended the idle drainers, not after their second of waiting
  // for more work (the margin is for a loaded, sanitized build).
  REQUIRE(stopped_at);
  CHECK(steady_clock::now() - *stopped_at < std::chrono::milliseconds(700));
  CHECK(rest.queued() == 0);
}

// Runs `io` until one request() has ended (a server on `io` keeps it from running out of work).
rest_result request_once(asio::io_context& io, rest_client& rest, rest_client::repeat policy) {
  std::optional<rest_result> out;
  asio::co_spawn(
      io,
      [&]() -> async::task<void> {
        out = co_await rest.request("POST", "/webhooks/1/token", "{}", policy);
      },
      asio::detached);
  while (!out)
    io.run_one();
  rest.stop();
  return *out;
}

TEST_CASE(
    "rest_client: a POST that may not repeat gets no second try after a 5xx, but does "
    "after a connection refused") {
  asio::io_context io{1};
  int served = 0;
  http_server failing(
      io.get_executor(),
      [&](const http_server_request&) {
        ++served;
        http_server_reply reply;
        reply.status = 502;
        reply.content_type = "application/json";
        reply.body = R"({"message": "502: Bad Gateway", "code": 0})";
        return reply;
      },
      http_server_options{.body_limit = 1024});
  REQUIRE_FALSE(failing.listen("127.0.0.1", 0));
  rest_client_options options;
  options.token = "test-token";
  options.limits.backoff_unit = std::chrono::milliseconds(1);

  options.api_base = "http://127.0.0.1:" + std::to_string(failing.port()) + "/api/v10";
  for (const auto policy : {rest_client::repeat::allowed, rest_client::repeat::only_if_unsent}) {
    const bool once = policy == rest_client::repeat::only_if_unsent;
    CAPTURE(once);
    served = 0;
    rest_client rest(io.get_executor(), options);
    const auto r = request_once(io, rest, policy);
    CHECK(r.status == 502);
    CHECK(served == (once ? 1 : options.limits.max_attempts));
    if (once) CHECK(r.error.find("not retried") != std::string::npos);
  }
  failing.stop();

  // A port nobody listens on: the request never left, so it is tried again.
  asio::ip::tcp::acceptor closed(io, {asio::ip::make_address("127.0.0.1"), 0});
  const auto port = closed.local_endpoint().port();
  closed.close();
  options.api_base = "http://127.0.0.1:" + std::to_string(port) + "/api/v10";
  rest_client rest(io.get_executor(), options);
  const auto r = request_once(io, rest, rest_client::repeat::only_if_unsent);
  CHECK(r.status == 0);
  CHECK(rest.stats().requests == static_cast<std::uint64_t>(options.limits.max_attempts));
}

}  // namespace
