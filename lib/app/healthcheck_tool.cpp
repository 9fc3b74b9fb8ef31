#include "app/healthcheck_tool.hpp"

#include <optional>
#include <ostream>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "adapters/transport/http_client.hpp"
#include "app/listen_address.hpp"
#include "async/supervise.hpp"

namespace tweetup {
namespace {

struct exchange_result {
  bool done = false;
  boost::system::error_code error;
  http_response response;
};

// `client`, `deadline` and `out` belong to run_healthcheck's frame, which outlives the run.
async::task<void> ask(http_client* client, async::asio::steady_timer* deadline,
                      exchange_result* out) {
  http_request request;
  request.method = "GET";
  request.target = "/healthz";
  auto [ec, response] = co_await client->send(std::move(request));
  // Ends the client's timeout watchdog too, which would keep run() going until it woke.
  client->close();
  out->done = true;
  out->error = ec;
  out->response = std::move(response);
  deadline->cancel();
}

}  // namespace

int run_healthcheck(const std::string& listen, std::ostream& out, std::ostream& err,
                    std::chrono::milliseconds timeout) {
  if (listen.empty()) {
    err << "tweetup healthcheck: http.listen is empty, so the bot serves no health endpoint\n";
    return 2;
  }
  const auto address = parse_listen_address(listen);
  if (!address) {
    err << "tweetup healthcheck: http.listen \"" << listen << "\" is not host:port\n";
    return 2;
  }

  async::asio::io_context io;
  http_client_options options;
  options.max_connections = 1;
  options.timeout = std::chrono::duration_cast<std::chrono::seconds>(timeout) +
                    std::chrono::seconds(1);  // the deadline below is the one that counts
  options.max_response_body = 64 * 1024;
  http_client client(io.get_executor(), address->local_origin(), tls_options{}, options);
  async::asio::steady_timer deadline(io, timeout);
  bool expired = false;
  deadline.async_wait([&](const boost::system::error_code& ec) {
    if (ec) return;
    expired = true;
    client.close();
  });
  exchange_result result;
  async::supervise(io.get_executor(), ask(&client, &deadline, &result), "healthcheck");
  io.run();

  const std::string where = address->local_origin() + "/healthz";
  if (expired) {
    err << "tweetup healthcheck: no answer from " << where << " within " << timeout.count()
        << " ms\n";
    return 1;
  }
  if (!result.done || result.error) {
    err << "tweetup healthcheck: " << client.last_error_text() << '\n';
    return 1;
  }
  out << result.response.body;
  if (result.response.status != 200) {
    err << "tweetup healthcheck: " << where << " answered " << result.response.status << '\n';
    return 1;
  }
  return 0;
}

}  // namespace tweetup
