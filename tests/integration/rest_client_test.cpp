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

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "adapters/discord/rest_client.hpp"
#include "adapters/transport/http_server.hpp"

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

}  // namespace
