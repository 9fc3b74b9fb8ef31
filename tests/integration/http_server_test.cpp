// The ops endpoint's HTTP server on a real loopback socket, driven by a raw TCP client that
// sends exactly the bytes under test. The server runs on its own io thread; every wait is for
// a condition (bytes, a close) with a deadline, never a sleep.
#include "adapters/transport/http_server.hpp"

#include <doctest/doctest.h>

#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/errc.hpp>

#include "support/raw_http.hpp"

using namespace tweetup;
using namespace std::chrono_literals;
using tweetup::testing::raw_connection;
using tweetup::testing::status_of;
namespace asio = boost::asio;

namespace {

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

const std::string get_request = "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n";

class running_server {
 public:
  explicit running_server(http_server_options options = {}) {
    server_ = std::make_unique<http_server>(
        io_.get_executor(), [this](const http_server_request& r) { return handle(r); }, options);
    const auto ec = server_->listen("127.0.0.1", 0);
    REQUIRE_MESSAGE(!ec, server_->last_error_text());
    port_ = server_->port();
    work_.emplace(io_.get_executor());
    thread_ = std::thread([this] { io_.run(); });
  }
  ~running_server();

  int port() const { return port_; }

  // Runs `f` on the io thread and returns its result.
  template <typename F>
  auto on_io(F f) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    asio::post(io_, [&task] { task(); });
    return result.get();
  }

  void stop() {
    on_io([this] {
      server_->stop();
      return 0;
    });
  }

  // Waits until the server counts `n` open connections; false when `limit` passes first.
  bool wait_open_connections(std::size_t n, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (on_io([this] { return server_->open_connections(); }) != n) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::yield();
    }
    return true;
  }

  std::vector<http_server_request> seen() {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  http_server_reply handle(const http_server_request& r) {
    {
      std::lock_guard lock(mutex_);
      seen_.push_back(r);
    }
    if (r.target == "/throw") throw std::runtime_error("handler trouble");
    http_server_reply reply;
    reply.status = r.target == "/missing" ? 404 : 200;
    reply.body = "hello from " + r.target + "\n";
    reply.headers.push_back({"X-Test", "yes"});
    return reply;
  }

  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::unique_ptr<http_server> server_;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<http_server_request> seen_;
  int port_ = 0;
};

running_server::~running_server() {
  on_io([this] {
    server_.reset();  // stops it
    return 0;
  });
  work_.reset();
  thread_.join();
}

}  // namespace

TEST_CASE("http server: a GET reaches the handler and its reply comes back") {
  running_server server;
  raw_connection c(server.port());
  REQUIRE(c.connected());
  REQUIRE(c.send("GET /hello?x=1 HTTP/1.1\r\nHost: t\r\n\r\n"));
  REQUIRE(c.read_responses(1, 5s));
  INFO(c.received());
  CHECK(status_of(c.received()) == 200);
  CHECK(contains(c.received(), "Content-Type: text/plain; charset=utf-8\r\n"));
  CHECK(contains(c.received(), "Content-Length: 22\r\n"));
  CHECK(contains(c.received(), "X-Test: yes\r\n"));
  CHECK(c.received().ends_with("\r\n\r\nhello from /hello?x=1\n"));
  const auto seen = server.seen();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].method == "GET");
  CHECK(seen[0].target == "/hello?x=1");
  CHECK_FALSE(seen[0].head);
}

TEST_CASE("http server: keep-alive serves two requests on one connection, HEAD without a body") {
  running_server server;
  raw_connection c(server.port());
  REQUIRE(c.connected());
  // HEAD first: if its body were sent, the GET's status line would not follow the blank line.
  REQUIRE(c.send("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n" + get_request));
  REQUIRE(c.read_responses(2, 5s, 1));
  const std::string& bytes = c.received();
  INFO(bytes);
  CHECK(status_of(bytes, 0) == 200);
  CHECK(status_of(bytes, 1) == 200);
  const auto first_end = bytes.find("\r\n\r\n") + 4;
  CHECK(bytes.compare(first_end, 9, "HTTP/1.1 ") == 0);
  CHECK(contains(bytes.substr(0, first_end), "Content-Length: 18\r\n"));  // as for the GET
  CHECK(bytes.ends_with("hello from /hello\n"));
  const auto seen = server.seen();
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].method == "HEAD");
  CHECK(seen[0].head);
  CHECK(seen[1].method == "GET");
  // Still open for a third.
  REQUIRE(c.send(get_request));
  CHECK(c.read_responses(3, 5s, 1));
}

TEST_CASE("http server: Connection: close and HTTP/1.0 end the connection after the answer") {
  running_server server;
  {
    raw_connection c(server.port());
    REQUIRE(c.send("GET /a HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
    CHECK(c.wait_closed(5s));
    CHECK(status_of(c.received()) == 200);
    CHECK(contains(c.received(), "Connection: close\r\n"));
  }
  raw_connection c(server.port());
  REQUIRE(c.send("GET /b HTTP/1.0\r\n\r\n"));
  CHECK(c.wait_closed(5s));
  CHECK(c.received().starts_with("HTTP/1.0 200 OK\r\n"));
}

TEST_CASE("http server: a request head over 8 KiB is answered 431 and the connection closed") {
  running_server server;
  raw_connection c(server.port());
  REQUIRE(
      c.send("GET /big HTTP/1.1\r\nHost: t\r\nX-Padding: " + std::string(9000, 'a') + "\r\n\r\n"));
  CHECK(c.wait_closed(5s));
  INFO(c.received());
  CHECK(status_of(c.received()) == 431);
  CHECK(server.seen().empty());

  // Just under the limit is fine.
  raw_connection ok(server.port());
  REQUIRE(ok.send("GET /fits HTTP/1.1\r\nHost: t\r\nX-Padding: " + std::string(7000, 'a') +
                  "\r\n\r\n"));
  REQUIRE(ok.read_responses(1, 5s));
  CHECK(status_of(ok.received()) == 200);
}

TEST_CASE("http server: a request body is refused with 413 and the connection closed") {
  running_server server;
  raw_connection c(server.port());
  REQUIRE(c.send("POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello"));
  CHECK(c.wait_closed(5s));
  CHECK(status_of(c.received()) == 413);

  raw_connection chunked(server.port());
  REQUIRE(chunked.send(
      "POST /x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"));
  CHECK(chunked.wait_closed(5s));
  CHECK(status_of(chunked.received()) == 413);
  CHECK(server.seen().empty());
}

TEST_CASE("http server: malformed requests get 400 and the connection closed") {
  running_server server;
  for (const std::string& bad : std::vector<std::string>{
           "GARBAGE\r\n\r\n", "GET /x HTTP/9.9\r\n\r\n", "GET /x y HTTP/1.1\r\n\r\n",
           "G(T /x HTTP/1.1\r\n\r\n", "GET /x HTTP/1.1\r\nBad Header: 1\r\n\r\n",
           "GET /x HTTP/1.1\r\nContent-Length: z\r\n\r\n"}) {
    CAPTURE(bad);
    raw_connection c(server.port());
    REQUIRE(c.send(bad));
    CHECK(c.wait_closed(5s));
    CHECK(status_of(c.received()) == 400);
  }
  CHECK(server.seen().empty());
}

TEST_CASE("http server: a slow or idle client is dropped after the read timeout") {
  http_server_options o;
  o.read_timeout = 300ms;
  running_server server(o);
  // Half a request line, then nothing (slow loris).
  raw_connection slow(server.port());
  REQUIRE(slow.send("GET /slow HT"));
  const auto start = std::chrono::steady_clock::now();
  CHECK(slow.wait_closed(5s));
  CHECK(std::chrono::steady_clock::now() - start >= 250ms);
  CHECK(slow.received().empty());

  // Idle after a complete exchange on a keep-alive connection.
  raw_connection idle(server.port());
  REQUIRE(idle.send(get_request));
  REQUIRE(idle.read_responses(1, 5s));
  CHECK(idle.wait_closed(5s));
  CHECK(server.seen().size() == 1);
}

TEST_CASE("http server: connections beyond the cap are closed at once, unanswered") {
  http_server_options o;
  o.max_connections = 2;
  running_server server(o);
  raw_connection a(server.port()), b(server.port());
  // Each answered, so each is surely accepted and counted.
  REQUIRE(a.send(get_request));
  REQUIRE(a.read_responses(1, 5s));
  REQUIRE(b.send(get_request));
  REQUIRE(b.read_responses(1, 5s));
  raw_connection third(server.port());
  REQUIRE(third.connected());  // the kernel's backlog takes it; the server then closes it
  third.send(get_request);
  CHECK(third.wait_closed(5s));
  CHECK(third.received().empty());
  // When one goes, there is room again.
  REQUIRE(server.wait_open_connections(2, 5s));
  a.close();
  REQUIRE(server.wait_open_connections(1, 5s));
  raw_connection fourth(server.port());
  REQUIRE(fourth.send(get_request));
  CHECK(fourth.read_responses(1, 5s));
}

TEST_CASE("http server: a handler that throws gives 500 and the connection stays usable") {
  running_server server;
  raw_connection c(server.port());
  REQUIRE(c.send("GET /throw HTTP/1.1\r\nHost: t\r\n\r\n" + get_request));
  REQUIRE(c.read_responses(2, 5s));
  CHECK(status_of(c.received(), 0) == 500);
  CHECK(status_of(c.received(), 1) == 200);
}

TEST_CASE("http server: stop() closes the listener and open connections at once") {
  running_server server;
  raw_connection idle(server.port());
  REQUIRE(idle.send(get_request));
  REQUIRE(idle.read_responses(1, 5s));
  raw_connection half(server.port());
  REQUIRE(half.send("GET /half HTTP/1.1\r\n"));
  REQUIRE(server.wait_open_connections(2, 5s));
  server.stop();
  // Well inside the read timeout (10 s): closed by stop(), not by the timer.
  CHECK(idle.wait_closed(2s));
  CHECK(half.wait_closed(2s));
  CHECK(server.wait_open_connections(0, 2s));
  CHECK_FALSE(raw_connection(server.port()).connected());
  CHECK(server.seen().size() == 1);
}

TEST_CASE("http server: listen() reports a port in use and an address it cannot bind") {
  running_server first;
  asio::io_context io;
  http_server taken(io.get_executor(),
                    [](const http_server_request&) { return http_server_reply{}; });
  const auto ec = taken.listen("127.0.0.1", static_cast<std::uint16_t>(first.port()));
  CHECK(ec == asio::error::address_in_use);
  CHECK(contains(taken.last_error_text(), "bind 127.0.0.1:"));

  http_server foreign(io.get_executor(),
                      [](const http_server_request&) { return http_server_reply{}; });
  // TEST-NET-1 (RFC 5737): no interface here has it.
  CHECK(foreign.listen("192.0.2.1", 0) == boost::system::errc::address_not_available);

  http_server named(io.get_executor(),
                    [](const http_server_request&) { return http_server_reply{}; });
  CHECK(named.listen("no-such-host.invalid", 0));
  CHECK_FALSE(named.last_error_text().empty());
}

TEST_CASE("http server: listens on an ephemeral IPv6 loopback port when the host has ::1") {
  asio::io_context io;
  http_server server(io.get_executor(),
                     [](const http_server_request&) { return http_server_reply{}; });
  const auto ec = server.listen("::1", 0);
  if (ec == boost::system::errc::address_not_available ||
      ec == boost::asio::error::address_family_not_supported) {
    MESSAGE("no IPv6 loopback here: " << server.last_error_text());
    return;
  }
  REQUIRE_MESSAGE(!ec, server.last_error_text());
  CHECK(server.port() != 0);
  CHECK(server.address() == "[::1]:" + std::to_string(server.port()));
}
