// http_client against an in-test Beast HTTP server on 127.0.0.1 (an ephemeral port), plain and
// TLS, with certificates made at test time (support/tls_test_certs). Client and server share one
// io_context and one thread; nothing sleeps: where the server must hold a response back, it
// waits for the client's other requests, not for time. Coroutines only record what happened;
// the checks run after run().
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "adapters/transport/http_client.hpp"
#include "async/asio.hpp"
#include "support/tls_test_certs.hpp"

namespace {

using namespace tweetup;
using namespace tweetup::testing;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using std::chrono::steady_clock;

// ---- the in-test server ------------------------------------------------------------------------

enum class behaviour {
  echo,                  // keep-alive; the body names the method, target and request body
  connection_close,      // echo with "Connection: close", then close
  until_eof,             // a body without length, delimited by closing the connection
  until_close_notify,    // the same over TLS, the connection ended with close_notify first
  close_after_response,  // echo (keep-alive), then close at once: an idle connection dropped
  close_without_answer,  // read the request, close without a byte of response
  silent,                // read requests, never answer
  chunked,               // a 103 interim response, then a chunked 200
  big_body,              // a 4096-byte body
  gated,                 // echo, but only once gate_batch requests wait (or the last ones)
  raw,                   // write raw_response as it is and keep the connection
  raw_then_close,        // write raw_response as it is, then close
};

struct http_test_server {
  http_test_server(asio::io_context& ioc, ssl::context* tls_context)
      : acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        tls(tls_context),
        gate(ioc, steady_clock::time_point::max()) {}
  std::string port() const { return std::to_string(acceptor.local_endpoint().port()); }
  std::string origin(const std::string& host = "127.0.0.1") const {
    return std::string(tls != nullptr ? "https" : "http") + "://" + host + ":" + port();
  }

  tcp::acceptor acceptor;
  ssl::context* tls;  // null: plain http
  behaviour mode = behaviour::echo;
  std::function<void()> on_silent_request;
  std::string raw_response;  // for the raw modes
  // gated mode: requests are answered in batches of gate_batch, the last batch being smaller
  std::size_t gate_batch = 0;
  std::size_t gate_total = 0;
  std::size_t gate_answered = 0;
  std::vector<std::string> waiting;
  std::vector<std::vector<std::string>> batches;  // the targets of each batch, in arrival order
  asio::steady_timer gate;
  // what it saw
  int accepted = 0;
  std::vector<std::string> targets;
  std::vector<std::string> hosts;
  std::vector<std::string> server_names;  // SNI per TLS connection; "" when none was sent
  int records_in = 0;         // TLS records received after the handshakes, over all connections
  std::vector<bool> resumed;  // per TLS connection: whether its handshake resumed a session
  error_code tls_error;
};

// OpenSSL's message callback sees every record header received: counts those of application
// data (in TLS 1.3, every encrypted record).
void count_records(int write_p, int /*version*/, int content_type, const void* buf, std::size_t len,
                   SSL* /*ssl*/, void* arg) {
  if (write_p == 0 && content_type == SSL3_RT_HEADER && len >= 1 &&
      static_cast<const unsigned char*>(buf)[0] == SSL3_RT_APPLICATION_DATA) {
    ++*static_cast<int*>(arg);
  }
}

async::task<void> send_close_notify(beast::tcp_stream* /*plain*/) {
  co_return;
}

// Sends close_notify and waits for the client's, which it never sends: it ends with an error
// when the client closes the connection.
async::task<void> send_close_notify(beast::ssl_stream<beast::tcp_stream>* stream) {
  auto [ec] = co_await stream->async_shutdown(async::nothrow);
  (void)ec;
}

template <typename Stream>
void close_connection(Stream* stream) {
  beast::get_lowest_layer(*stream).close();
}

template <typename Stream>
async::task<bool> write_raw(Stream* stream, std::string text) {
  auto [ec, size] = co_await asio::async_write(*stream, asio::buffer(text), async::nothrow);
  co_return !ec;
}

http::response<http::string_body> echo_response(const http::request<http::string_body>& req) {
  http::response<http::string_body> res;
  res.version(11);
  unsigned status = 200;
  if (req.target().starts_with("/status/"))
    status = std::stoul(std::string(req.target().substr(8)));
  res.result(status);
  res.keep_alive(req.keep_alive());
  res.set(http::field::content_type, "text/plain");
  res.set("X-RateLimit-Limit", "5");
  res.set("X-RateLimit-Remaining", "4");
  res.set("X-RateLimit-Reset-After", "1.25");
  res.set("X-RateLimit-Bucket", "abcd1234");
  res.insert(http::field::set_cookie, "a=1");
  res.insert(http::field::set_cookie, "b=2");
  res.set("X-Echo-Test", req["X-Test"]);
  res.set("X-Echo-Content-Length",
          req.has_content_length() ? std::string(req[http::field::content_length]) : "none");
  std::string names;  // the request's field names, in the order they came
  for (const auto& field : req) {
    if (!names.empty()) names += ",";
    names += std::string(field.name_string());
  }
  res.set("X-Echo-Fields", names);
  res.body() =
      std::string(req.method_string()) + " " + std::string(req.target()) + "\n" + req.body();
  res.prepare_payload();
  return res;
}

// Serves requests on one connection until it ends. `server` outlives the io_context's work.
template <typename Stream>
async::task<void> serve_requests(Stream* stream, http_test_server* server) {
  beast::flat_buffer buffer;
  for (;;) {
    http::request<http::string_body> req;
    auto [read_ec, read_size] = co_await http::async_read(*stream, buffer, req, async::nothrow);
    if (read_ec) co_return;
    const std::string target(req.target());
    server->targets.push_back(target);
    server->hosts.emplace_back(req[http::field::host]);
    const behaviour mode = server->mode;
    if (mode == behaviour::silent) {
      if (server->on_silent_request) server->on_silent_request();
      continue;
    }
    if (mode == behaviour::close_without_answer) {
      close_connection(stream);
      co_return;
    }
    if (mode == behaviour::chunked) {
      const std::string text =
          "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
          "X-RateLimit-Bucket: chunky\r\n\r\n"
          "5\r\n{\"a\":\r\n7;ext=1\r\n\"hello\"\r\n1\r\n}\r\n0\r\n\r\n";
      const bool ok = co_await write_raw(stream, text);
      if (!ok) co_return;
      continue;
    }
    if (mode == behaviour::raw || mode == behaviour::raw_then_close) {
      const bool ok = co_await write_raw(stream, server->raw_response);
      if (!ok) co_return;
      if (mode == behaviour::raw) continue;
      close_connection(stream);
      co_return;
    }
    if (mode == behaviour::until_eof || mode == behaviour::until_close_notify) {
      const std::string text = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end";
      co_await write_raw(stream, text);
      if (mode == behaviour::until_close_notify) co_await send_close_notify(stream);
      close_connection(stream);
      co_return;
    }
    if (mode == behaviour::big_body) {
      http::response<http::string_body> res{http::status::ok, 11};
      res.body() = std::string(4096, 'x');
      res.prepare_payload();
      auto [write_ec, written] = co_await http::async_write(*stream, res, async::nothrow);
      if (write_ec) co_return;
      continue;
    }
    if (mode == behaviour::gated) {
      server->waiting.push_back(target);
      if (server->waiting.size() == server->gate_batch ||
          server->gate_answered + server->waiting.size() == server->gate_total) {
        server->gate_answered += server->waiting.size();
        server->batches.push_back(std::move(server->waiting));
        server->waiting.clear();
        server->gate.cancel();
      } else {
        co_await server->gate.async_wait(async::nothrow);
      }
    }
    if (req.method() == http::verb::head) {
      // The length of the body a GET would have had, and no body (RFC 9110 §9.3.2).
      http::response<http::empty_body> res{http::status::ok, 11};
      res.content_length(42);
      auto [write_ec, written] = co_await http::async_write(*stream, res, async::nothrow);
      if (write_ec) co_return;
      continue;
    }
    auto res = echo_response(req);
    if (mode == behaviour::connection_close) res.keep_alive(false);
    auto [write_ec, written] = co_await http::async_write(*stream, res, async::nothrow);
    if (write_ec) co_return;
    if (mode == behaviour::connection_close || mode == behaviour::close_after_response) {
      close_connection(stream);
      co_return;
    }
  }
}

async::task<void> serve_connection(http_test_server* server, tcp::socket socket) {
  ++server->accepted;
  if (server->tls != nullptr) {
    beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *server->tls);
    auto [handshake_ec] = co_await stream.async_handshake(ssl::stream_base::server, async::nothrow);
    if (handshake_ec) {
      server->tls_error = handshake_ec;
      co_return;
    }
    const char* name = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name);
    server->server_names.emplace_back(name != nullptr ? name : "");
    server->resumed.push_back(SSL_session_reused(stream.native_handle()) == 1);
    SSL_set_msg_callback(stream.native_handle(), count_records);
    SSL_set_msg_callback_arg(stream.native_handle(), &server->records_in);
    co_await serve_requests(&stream, server);
  } else {
    beast::tcp_stream stream(std::move(socket));
    co_await serve_requests(&stream, server);
  }
}

void rethrow(std::exception_ptr e) {
  if (e) std::rethrow_exception(e);
}

// Accepts connections for as long as the io_context runs.
async::task<void> serve(http_test_server* server) {
  for (;;) {
    auto [ec, socket] = co_await server->acceptor.async_accept(async::nothrow);
    if (ec) co_return;
    asio::co_spawn(server->acceptor.get_executor(), serve_connection(server, std::move(socket)),
                   rethrow);
  }
}

// Accepts connections and reads whatever comes, never writing: a peer hanging in the TLS
// handshake.
async::task<void> ignore_connection(tcp::socket socket) {
  std::array<char, 1024> sink{};
  for (;;) {
    auto [ec, size] = co_await socket.async_read_some(asio::buffer(sink), async::nothrow);
    if (ec) co_return;
  }
}

async::task<void> accept_and_ignore(tcp::acceptor* acceptor) {
  for (;;) {
    auto [ec, socket] = co_await acceptor->async_accept(async::nothrow);
    if (ec) co_return;
    asio::co_spawn(acceptor->get_executor(), ignore_connection(std::move(socket)), rethrow);
  }
}

// ---- the client side ---------------------------------------------------------------------------

struct exchange_result {
  error_code ec;
  http_response response;
  std::string error_text;
  std::size_t open_after = 0;  // client.open_connections() when send() returned
  steady_clock::duration took{};
};

struct step {
  behaviour mode;
  http_request request;
};

http_request get(std::string target) {
  return http_request{"GET", std::move(target), {}, {}};
}

// Sends the steps one after the other, switching the server's behaviour before each.
async::task<void> send_steps(http_client* client, http_test_server* server, std::vector<step> steps,
                             std::vector<exchange_result>* out) {
  for (auto& s : steps) {
    if (server != nullptr) server->mode = s.mode;
    const auto start = steady_clock::now();
    auto [ec, response] = co_await client->send(std::move(s.request));
    exchange_result r;
    r.took = steady_clock::now() - start;
    r.ec = ec;
    r.response = std::move(response);
    r.error_text = client->last_error_text();
    r.open_after = client->open_connections();
    out->push_back(std::move(r));
  }
}

async::task<void> send_one(http_client* client, http_request request, exchange_result* out) {
  const auto start = steady_clock::now();
  auto [ec, response] = co_await client->send(std::move(request));
  out->took = steady_clock::now() - start;
  out->ec = ec;
  out->response = std::move(response);
  out->error_text = client->last_error_text();
  out->open_after = client->open_connections();
}

// Sends, then closes the client as soon as the answer is in: before any request waiting for the
// connection has run again.
async::task<void> send_then_close(http_client* client, http_request request, exchange_result* out) {
  auto [ec, response] = co_await client->send(std::move(request));
  client->close();
  out->ec = ec;
  out->response = std::move(response);
  out->error_text = client->last_error_text();
}

struct harness {
  asio::io_context ioc;

  // Runs every body to its end; servers still waiting are dropped with the io_context.
  void run_all(std::vector<async::task<void>> bodies) {
    std::size_t left = bodies.size();
    for (auto& body : bodies) {
      asio::co_spawn(ioc, std::move(body), [this, &left](std::exception_ptr e) {
        if (--left == 0) ioc.stop();
        rethrow(e);
      });
    }
    ioc.restart();
    ioc.run();
    REQUIRE(left == 0);
  }

  void run(async::task<void> body) {
    std::vector<async::task<void>> bodies;
    bodies.push_back(std::move(body));
    run_all(std::move(bodies));
  }

  void start(http_test_server& server) { asio::co_spawn(ioc, serve(&server), rethrow); }
};

tls_options trusting(const certificate_file& file) {
  return tls_options{file.path.string(), true};
}

std::size_t count_named(const http_response& r, const std::string& name) {
  const auto fields = r.fields();
  return static_cast<std::size_t>(std::count_if(
      fields.begin(), fields.end(),
      [&name](const http_response::field& f) { return beast::iequals(f.name, name); }));
}

}  // namespace

TEST_CASE("sequential requests share one keep-alive connection") {
  harness h;
  auto tls = server_tls(localhost_certificate().pem);
  std::unique_ptr<http_test_server> server;
  std::string host;
  SUBCASE("http://") {
    server = std::make_unique<http_test_server>(h.ioc, nullptr);
    host = "127.0.0.1";
  }
  SUBCASE("https:// by host name") {
    server = std::make_unique<http_test_server>(h.ioc, tls.get());
    host = "localhost";
  }
  h.start(*server);
  http_client client(h.ioc.get_executor(), server->origin(host), trusting(localhost_certificate()));
  std::vector<step> steps;
  steps.push_back(
      {behaviour::echo, http_request{"GET", "/api/v10/a?x=1", {{"X-Test", "one"}}, ""}});
  steps.push_back({behaviour::echo, http_request{"POST", "/api/v10/b", {}, ""}});
  steps.push_back({behaviour::echo, http_request{"PATCH", "/api/v10/c", {}, "{\"k\":1}"}});
  steps.push_back({behaviour::echo, http_request{"DELETE", "/api/v10/d", {}, ""}});
  steps.push_back({behaviour::echo, http_request{"HEAD", "/api/v10/e", {}, ""}});
  steps.push_back({behaviour::echo, get("/api/v10/f")});
  std::vector<exchange_result> out;
  h.run(send_steps(&client, server.get(), std::move(steps), &out));

  REQUIRE(out.size() == 6);
  for (const auto& r : out) {
    CHECK_MESSAGE(!r.ec, r.error_text);
    CHECK(r.open_after == 1);
  }
  CHECK(server->accepted == 1);
  CHECK(client.open_connections() == 1);
  CHECK(out[0].response.status == 200);
  CHECK(out[0].response.body == "GET /api/v10/a?x=1\n");
  CHECK(*out[0].response.header("X-Echo-Test") == "one");
  CHECK(*out[0].response.header("X-Echo-Content-Length") == "none");
  CHECK(out[1].response.body == "POST /api/v10/b\n");
  CHECK(*out[1].response.header("X-Echo-Content-Length") == "0");
  CHECK(out[2].response.body == "PATCH /api/v10/c\n{\"k\":1}");
  CHECK(*out[2].response.header("X-Echo-Content-Length") == "7");
  CHECK(*out[3].response.header("X-Echo-Content-Length") == "none");
  CHECK(out[4].response.body.empty());
  CHECK(*out[4].response.header("Content-Length") == "42");
  CHECK(out[5].response.body == "GET /api/v10/f\n");
  REQUIRE(server->hosts.size() == 6);
  CHECK(server->hosts[0] == host + ":" + server->port());
  if (server->tls != nullptr) {
    REQUIRE(server->server_names.size() == 1);
    CHECK(server->server_names[0] == "localhost");
  }
}

TEST_CASE("response status and every header are kept, looked up case-insensitively") {
  harness h;
  http_test_server server(h.ioc, nullptr);
  h.start(server);
  http_client client(h.ioc.get_executor(), server.origin(), tls_options{});
  exchange_result out;
  h.run(send_one(&client, get("/status/429"), &out));
  REQUIRE_MESSAGE(!out.ec, out.error_text);
  const auto& r = out.response;
  CHECK(r.status == 429);  // an HTTP status is an answer, not a transport error
  REQUIRE(r.header("x-ratelimit-reset-after"));
  CHECK(*r.header("x-ratelimit-reset-after") == "1.25");
  CHECK(*r.header("X-RATELIMIT-BUCKET") == "abcd1234");
  CHECK(*r.header("X-RateLimit-Limit") == "5");
  CHECK(*r.header("x-ratelimit-remaining") == "4");
  CHECK_FALSE(r.header("X-RateLimit-Global"));
  CHECK(count_named(r, "set-cookie") == 2);
  CHECK(*r.header("Set-Cookie") == "a=1");
  // In the order received: the rate limit fields come before the cookies.
  const auto fields = r.fields();
  const auto position = [&fields](const char* name) {
    return std::distance(fields.begin(), std::find_if(fields.begin(), fields.end(),
                                                      [name](const http_response::field& f) {
                                                        return f.name == name;
                                                      }));
  };
  CHECK(position("X-RateLimit-Limit") < position("X-RateLimit-Remaining"));
  CHECK(position("X-RateLimit-Bucket") < position("Set-Cookie"));
  // Content-Type, 4 X-RateLimit-*, 2 Set-Cookie, 3 X-Echo-*, Content-Length.
  CHECK(r.field_count() == 11);
}

TEST_CASE("a chunked response after an interim 103 is read whole, and the connection reused") {
  harness h;
  http_test_server server(h.ioc, nullptr);
  h.start(server);
  http_client client(h.ioc.get_executor(), server.origin(), tls_options{});
  std::vector<step> steps;
  steps.push_back({behaviour::chunked, get("/chunked")});
  steps.push_back({behaviour::echo, get("/after")});
  std::vector<exchange_result> out;
  h.run(send_steps(&client, &server, std::move(steps), &out));
  REQUIRE(out.size() == 2);
  CHECK_MESSAGE(!out[0].ec, out[0].error_text);
  CHECK(out[0].response.status == 200);
  CHECK(out[0].response.body == "{\"a\":\"hello\"}");
  CHECK(*out[0].response.header("x-ratelimit-bucket") == "chunky");
  CHECK_FALSE(out[0].response.header("Link"));  // it belonged to the 103
  CHECK_MESSAGE(!out[1].ec, out[1].error_text);
  CHECK(out[1].response.body == "GET /after\n");
  CHECK(server.accepted == 1);
}

TEST_CASE("concurrent requests use at most max_connections connections and wait their turn") {
  harness h;
  http_test_server server(h.ioc, nullptr);
  server.mode = behaviour::gated;
  server.gate_batch = 4;
  server.gate_total = 10;
  h.start(server);
  http_client_options o;
  o.max_connections = 4;
  http_client client(h.ioc.get_executor(), server.origin(), tls_options{}, o);
  std::vector<exchange_result> out(10);
  std::vector<async::task<void>> bodies;
  for (std::size_t i = 0; i < out.size(); ++i) {
    http_request r = get("/item/" + std::to_string(i));
    r.headers.push_back({"X-Test", std::to_string(i)});
    bodies.push_back(send_one(&client, std::move(r), &out[i]));
  }
  h.run_all(std::move(bodies));

  for (std::size_t i = 0; i < out.size(); ++i) {
    INFO("request " << i);
    CHECK_MESSAGE(!out[i].ec, out[i].error_text);
    CHECK(out[i].response.body == "GET /item/" + std::to_string(i) + "\n");
    CHECK(*out[i].response.header("X-Echo-Test") == std::to_string(i));
  }
  // The server answers only when 4 requests wait at once, so the client must have used all 4.
  CHECK(server.accepted == 4);
  CHECK(client.open_connections() == 4);
  // FIFO: the first four, then the next four, then the last two.
  REQUIRE(server.batches.size() == 3);
  const auto as_set = [](const std::vector<std::string>& v) {
    return std::set<std::string>(v.begin(), v.end());
  };
  CHECK(as_set(server.batches[0]) ==
        std::set<std::string>{"/item/0", "/item/1", "/item/2", "/item/3"});
  CHECK(as_set(server.batches[1]) ==
        std::set<std::string>{"/item/4", "/item/5", "/item/6", "/item/7"});
  CHECK(as_set(server.batches[2]) == std::set<std::string>{"/item/8", "/item/9"});
}

TEST_CASE("a keep-alive connection the server closed while idle is replaced transparently") {
  harness h;
  auto tls = server_tls(localhost_certificate().pem);
  std::unique_ptr<http_test_server> server;
  SUBCASE("http://") {
    server = std::make_unique<http_test_server>(h.ioc, nullptr);
  }
  SUBCASE("https:// (no close_notify: the TLS stream is truncated)") {
    server = std::make_unique<http_test_server>(h.ioc, tls.get());
  }
  h.start(*server);
  http_client client(h.ioc.get_executor(), server->origin(), trusting(localhost_certificate()));
  std::vector<step> steps;
  steps.push_back({behaviour::close_after_response, get("/first")});
  steps.push_back({behaviour::echo, get("/second")});
  steps.push_back({behaviour::echo, get("/third")});
  std::vector<exchange_result> out;
  h.run(send_steps(&client, server.get(), std::move(steps), &out));
  REQUIRE(out.size() == 3);
  for (const auto& r : out)
    CHECK_MESSAGE(!r.ec, r.error_text);
  CHECK(out[1].response.body == "GET /second\n");
  CHECK(out[2].response.body == "GET /third\n");
  CHECK(server->accepted == 2);
  // The server never saw the attempt on the closed connection.
  CHECK(server->targets == std::vector<std::string>{"/first", "/second", "/third"});
  CHECK(client.open_connections() == 1);
}

TEST_CASE("retries: once, only on a reused connection") {
  harness h;
  http_test_server server(h.ioc, nullptr);
  h.start(server);
  http_client client(h.ioc.get_executor(), server.origin(), tls_options{});
  std::vector<step> steps;
  SUBCASE("a fresh connection closed without an answer is an error, not retried") {
    steps.push_back({behaviour::close_without_answer, get("/only")});
    std::vector<exchange_result> out;
    h.run(send_steps(&client, &server, std::move(steps), &out));
    REQUIRE(out.size() == 1);
    CHECK(out[0].ec == http::error::end_of_stream);
    CHECK_MESSAGE(out[0].error_text.find("read response from 127.0.0.1:" + server.port()) !=
                      std::string::npos,
                  out[0].error_text);
    CHECK(server.accepted == 1);
  }
  SUBCASE("the retry on a fresh connection fails too: that error is returned") {
    steps.push_back({behaviour::close_after_response, get("/first")});
    steps.push_back({behaviour::close_without_answer, get("/second")});
    std::vector<exchange_result> out;
    h.run(send_steps(&client, &server, std::move(steps), &out));
    REQUIRE(out.size() == 2);
    CHECK(!out[0].ec);
    CHECK(out[1].ec == http::error::end_of_stream);
    CHECK(server.accepted == 2);
    CHECK(server.targets == std::vector<std::string>{"/first", "/second"});
  }
  CHECK(client.open_connections() == 0);
}

TEST_CASE("responses that end the connection are not reused") {
  harness h;
  http_test_server server(h.ioc, nullptr);
  h.start(server);
  http_client client(h.ioc.get_executor(), server.origin(), tls_options{});
  behaviour mode{};
  SUBCASE("Connection: close") {
    mode = behaviour::connection_close;
  }
  SUBCASE("a body delimited by the end of the stream") {
    mode = behaviour::until_eof;
  }
  std::vector<step> steps;
  for (int i = 0; i < 3; ++i)
    steps.push_back({mode, get("/close/" + std::to_string(i))});
  std::vector<exchange_result> out;
  h.run(send_steps(&client, &server, std::move(steps), &out));
  REQUIRE(out.size() == 3);
  for (const auto& r : out) {
    CHECK_MESSAGE(!r.ec, r.error_text);
    CHECK(r.response.status == 200);
    CHECK(r.open_after == 0);
  }
  if (mode == behaviour::until_eof) CHECK(out[2].response.body == "until the end");
  CHECK(server.accepted == 3);
}

TEST_CASE("over TLS: what ends a body, how a request is written, and resumption") {
  harness h;
  auto tls = server_tls(localhost_certificate().pem);
  http_test_server server(h.ioc, tls.get());
  h.start(server);
  http_client client(h.ioc.get_executor(), server.origin(), trusting(localhost_certificate()));
  std::vector<exchange_result> out;
  SUBCASE("close_notify, then the end of the stream: the body is whole") {
    h.run(send_steps(&client, &server, {{behaviour::until_close_notify, get("/notify")}}, &out));
    REQUIRE(out.size() == 1);
    CHECK_MESSAGE(!out[0].ec, out[0].error_text);
    CHECK(out[0].response.body == "until the end");
  }
  SUBCASE("the end of the stream alone could be an attacker's cut: an error") {
    h.run(send_steps(&client, &server, {{behaviour::until_eof, get("/cut")}}, &out));
    REQUIRE(out.size() == 1);
    CHECK(out[0].ec == asio::ssl::error::stream_truncated);
    CHECK_MESSAGE(out[0].error_text.find("read response from 127.0.0.1") != std::string::npos,
                  out[0].error_text);
  }
  SUBCASE("a new connection to the same host name resumes the session of the one before") {
    http_client by_name(h.ioc.get_executor(), server.origin("localhost"),
                        trusting(localhost_certificate()));
    h.run(send_steps(&by_name, &server,
                     {{behaviour::connection_close, get("/first")},
                      {behaviour::connection_close, get("/second")},
                      {behaviour::connection_close, get("/third")}},
                     &out));
    REQUIRE(out.size() == 3);
    for (const auto& r : out)
      CHECK_MESSAGE(!r.ec, r.error_text);
    // The first handshake is a full one; each later one takes the ticket of the one before.
    CHECK(server.resumed == std::vector<bool>{false, true, true});
  }
  SUBCASE("an address sends no SNI, so it is not resumed") {
    h.run(send_steps(&client, &server,
                     {{behaviour::connection_close, get("/first")},
                      {behaviour::connection_close, get("/second")}},
                     &out));
    REQUIRE(out.size() == 2);
    CHECK(server.resumed == std::vector<bool>{false, false});
  }
  SUBCASE("a request's head and body go out as one record") {
    const std::string body(300, 'b');
    h.run(send_steps(&client, &server,
                     {{behaviour::echo, http_request{"POST", "/records", {}, body}}}, &out));
    REQUIRE(out.size() == 1);
    CHECK_MESSAGE(!out[0].ec, out[0].error_text);
    CHECK(out[0].response.body == "POST /records\n" + body);
    CHECK(server.records_in == 1);
  }
}

TEST_CASE("a TLS 1.2 server is served, and its sessions are not resumed") {
  harness h;
  auto tls = server_tls(localhost_certificate().pem);
  SSL_CTX_set_max_proto_version(tls->native_handle(), TLS1_2_VERSION);
  http_test_server server(h.ioc, tls.get());
  h.start(server);
  http_client client(h.ioc.get_executor(), server.origin("localhost"),
                     trusting(localhost_certificate()));
  std::vector<exchange_result> out;
  const std::string body(20000, 'p');  // more than one record
  h.run(send_steps(&client, &server,
                   {{behaviour::connection_close, http_request{"POST", "/a", {}, body}},
                    {behaviour::connection_close, get("/b")}},
                   &out));
  REQUIRE(out.size() == 2);
  for (const auto& r : out)
    CHECK_MESSAGE(!r.ec, r.error_text);
  CHECK(out[0].response.body == "POST /a\n" + body);
  CHECK(server.resumed == std::vector<bool>{false, false});
}

TEST_CASE("a response the reader refuses fails with Beast's code and drops the connection") {
  harness h;
  http_test_server server(h.ioc, nullptr);
  h.start(server);
  http_client client(h.ioc.get_executor(), server.origin(), tls_options{});
  error_code expected;
  SUBCASE("Content-Length values that differ") {
    server.raw_response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok";
    expected = http::error::multiple_content_length;
  }
  SUBCASE("Content-Length with Transfer-Encoding") {
    server.raw_response =
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
    expected = http::error::bad_transfer_encoding;
  }
  SUBCASE("a header over 64 KiB") {
    server.raw_response = "HTTP/1.1 200 OK\r\nX-Big: " + std::string(64 * 1024, 'x') +
                          "\r\nContent-Length: 0\r\n\r\n";
    expected = http::error::header_limit;
  }
  SUBCASE("an obs-fold") {
    server.raw_response = "HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\nContent-Length: 0\r\n\r\n";
    expected = http::error::bad_value;
  }
  std::vector<step> steps;
  steps.push_back({behaviour::echo, get("/first")});
  steps.push_back({behaviour::raw, get("/refused")});
  steps.push_back({behaviour::echo, get("/after")});
  std::vector<exchange_result> out;
  h.run(send_steps(&client, &server, std::move(steps), &out));
  REQUIRE(out.size() == 3);
  CHECK_MESSAGE(!out[0].ec, out[0].error_text);
  CHECK(out[1].ec == expected);
  CHECK_MESSAGE(out[1].error_text.find("read response from") != std::string::npos,
                out[1].error_text);
  CHECK(out[1].open_after == 0);
  CHECK_MESSAGE(!out[2].ec, out[2].error_text);
  CHECK(out[2].response.body == "GET /after\n");
  CHECK(server.accepted == 2);
}

TEST_CASE("a response cut short is partial_message, and not retried on a reused connection") {
  harness h;
  http_test_server server(h.ioc, nullptr);
  h.start(server);
  http_client client(h.ioc.get_executor(), server.origin(), tls_options{});
  server.raw_response = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort";
  std::vector<step> steps;
  steps.push_back({behaviour::echo, get("/first")});
  steps.push_back({behaviour::raw_then_close, get("/cut")});
  std::vector<exchange_result> out;
  h.run(send_steps(&client, &server, std::move(steps), &out));
  REQUIRE(out.size() == 2);
  CHECK(!out[0].ec);
  CHECK(out[1].ec == http::error::partial_message);
  CHECK(out[1].open_after == 0);
  // Part of an answer arrived, so the request reached the server: it is not sent again.
  CHECK(server.targets == std::vector<std::string>{"/first", "/cut"});
  CHECK(server.accepted == 1);
}

TEST_CASE("keep-alive follows the framing: bytes after a response, and a HEAD without a length") {
  harness h;
  http_test_server server(h.ioc, nullptr);
  h.start(server);
  http_client client(h.ioc.get_executor(), server.origin(), tls_options{});
  std::vector<step> steps;
  std::size_t connections = 0;
  std::string body;
  SUBCASE("bytes nobody asked for after the response: the answer stands, the connection goes") {
    server.raw_response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n";
    steps.push_back({behaviour::raw, get("/extra")});
    connections = 2;
    body = "ok";
  }
  SUBCASE("a HEAD response ends with its header, length or not (RFC 9112 §6.3)") {
    server.raw_response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n";
    steps.push_back({behaviour::raw, http_request{"HEAD", "/head", {}, ""}});
    connections = 1;
  }
  steps.push_back({behaviour::echo, get("/next")});
  std::vector<exchange_result> out;
  h.run(send_steps(&client, &server, std::move(steps), &out));
  REQUIRE(out.size() == 2);
  CHECK_MESSAGE(!out[0].ec, out[0].error_text);
  CHECK(out[0].response.status == 200);
  CHECK(out[0].response.body == body);
  CHECK(out[0].open_after == (connections == 1 ? 1U : 0U));  // kept for reuse, or closed
  CHECK_MESSAGE(!out[1].ec, out[1].error_text);
  CHECK(out[1].response.body == "GET /next\n");
  CHECK(server.accepted == static_cast<int>(connections));
}

TEST_CASE("idle connections older than idle_timeout are not reused") {
  harness h;
  http_test_server server(h.ioc, nullptr);
  h.start(server);
  http_client_options o;
  o.idle_timeout = std::chrono::seconds(0);
  http_client client(h.ioc.get_executor(), server.origin(), tls_options{}, o);
  std::vector<step> steps;
  steps.push_back({behaviour::echo, get("/a")});
  steps.push_back({behaviour::echo, get("/b")});
  std::vector<exchange_result> out;
  h.run(send_steps(&client, &server, std::move(steps), &out));
  REQUIRE(out.size() == 2);
  CHECK(!out[0].ec);
  CHECK(!out[1].ec);
  CHECK(server.accepted == 2);
  CHECK(client.open_connections() == 1);
}

TEST_CASE("a response body over max_response_body fails and drops the connection") {
  harness h;
  http_test_server server(h.ioc, nullptr);
  h.start(server);
  http_client_options o;
  o.max_response_body = 1024;
  http_client client(h.ioc.get_executor(), server.origin(), tls_options{}, o);
  std::vector<step> steps;
  steps.push_back({behaviour::echo, get("/small")});
  steps.push_back({behaviour::big_body, get("/big")});
  steps.push_back({behaviour::echo, get("/small-again")});
  std::vector<exchange_result> out;
  h.run(send_steps(&client, &server, std::move(steps), &out));
  REQUIRE(out.size() == 3);
  CHECK(!out[0].ec);
  CHECK(out[1].ec == http::error::body_limit);
  CHECK(out[1].open_after == 0);
  CHECK_MESSAGE(!out[2].ec, out[2].error_text);
  CHECK(out[2].response.body == "GET /small-again\n");
  CHECK(server.accepted == 2);
}

TEST_CASE("TLS verification") {
  harness h;
  SUBCASE("trusted certificate by address (IP:127.0.0.1, no SNI)") {
    auto tls = server_tls(localhost_certificate().pem);
    http_test_server server(h.ioc, tls.get());
    h.start(server);
    http_client client(h.ioc.get_executor(), server.origin(), trusting(localhost_certificate()));
    exchange_result out;
    h.run(send_one(&client, get("/tls"), &out));
    CHECK_MESSAGE(!out.ec, out.error_text);
    CHECK(out.response.body == "GET /tls\n");
    REQUIRE(server.server_names.size() == 1);
    CHECK(server.server_names[0].empty());
  }
  SUBCASE("an untrusted certificate (no ca_file) fails with words for it") {
    auto tls = server_tls(localhost_certificate().pem);
    http_test_server server(h.ioc, tls.get());
    h.start(server);
    http_client client(h.ioc.get_executor(), server.origin("localhost"), tls_options{});
    exchange_result out;
    h.run(send_one(&client, get("/tls"), &out));
    REQUIRE(out.ec);
    CHECK(out.ec.category() == asio::error::get_ssl_category());
    CHECK(ERR_GET_REASON(static_cast<unsigned long>(out.ec.value())) ==
          SSL_R_CERTIFICATE_VERIFY_FAILED);
    CHECK_MESSAGE(out.error_text.find("self-signed") != std::string::npos, out.error_text);
    CHECK(server.targets.empty());
    CHECK(client.open_connections() == 0);
  }
  SUBCASE("a trusted certificate for another host name fails") {
    auto tls = server_tls(other_host_certificate().pem);
    http_test_server server(h.ioc, tls.get());
    h.start(server);
    http_client client(h.ioc.get_executor(), server.origin(), trusting(other_host_certificate()));
    exchange_result out;
    h.run(send_one(&client, get("/tls"), &out));
    REQUIRE(out.ec);
    CHECK(ERR_GET_REASON(static_cast<unsigned long>(out.ec.value())) ==
          SSL_R_CERTIFICATE_VERIFY_FAILED);
    CHECK_MESSAGE(out.error_text.find("does not name 127.0.0.1") != std::string::npos,
                  out.error_text);
    CHECK(server.targets.empty());
  }
  SUBCASE("a ca_file that cannot be read fails every request") {
    http_client client(h.ioc.get_executor(), "https://127.0.0.1:9",
                       tls_options{"/nonexistent/tweetup-ca.pem", true});
    exchange_result out;
    h.run(send_one(&client, get("/tls"), &out));
    REQUIRE(out.ec);
    CHECK_MESSAGE(out.error_text.find("cannot load ca_file") != std::string::npos, out.error_text);
  }
}

TEST_CASE("plain http:// to a host that is not loopback is refused without traffic") {
  harness h;
  std::string origin;
  SUBCASE("a host name (no DNS lookup)") {
    origin = "http://example.invalid";
  }
  SUBCASE("an address") {
    origin = "http://10.0.0.1:8080";
  }
  SUBCASE("a v6 address") {
    origin = "http://[2001:db8::1]/";
  }
  http_client client(h.ioc.get_executor(), origin, tls_options{});
  exchange_result out;
  h.run(send_one(&client, get("/"), &out));
  CHECK(out.ec == boost::system::errc::permission_denied);
  CHECK(out.took < std::chrono::milliseconds(50));
  CHECK_MESSAGE(out.error_text.find("not loopback") != std::string::npos, out.error_text);
  CHECK(client.open_connections() == 0);
}

TEST_CASE("origins that are not scheme://host[:port] are refused") {
  harness h;
  std::string origin;
  SUBCASE("a path (targets carry it)") {
    origin = "https://discord.com/api/v10";
  }
  SUBCASE("a query") {
    origin = "https://discord.com?x=1";
  }
  SUBCASE("another scheme") {
    origin = "wss://gateway.discord.gg";
  }
  SUBCASE("credentials") {
    origin = "https://user:pw@discord.com";
  }
  SUBCASE("no port number") {
    origin = "http://127.0.0.1:";
  }
  http_client client(h.ioc.get_executor(), origin, tls_options{});
  exchange_result out;
  h.run(send_one(&client, get("/"), &out));
  CHECK(out.ec == boost::system::errc::invalid_argument);
  CHECK_MESSAGE(out.error_text.find(origin) != std::string::npos, out.error_text);
}

TEST_CASE("requests that would be sent malformed are refused before any traffic") {
  harness h;
  http_test_server server(h.ioc, nullptr);
  h.start(server);
  http_client client(h.ioc.get_executor(), server.origin(), tls_options{});
  http_request r = get("/ok");
  SUBCASE("CR LF in a header value") {
    r.headers.push_back({"X-Audit-Log-Reason", "fine\r\nX-Injected: yes"});
  }
  SUBCASE("a header name that is not a token") {
    r.headers.push_back({"Bad Name", "x"});
  }
  SUBCASE("Host is the client's") {
    r.headers.push_back({"host", "evil.example"});
  }
  SUBCASE("Content-Length is the client's") {
    r.headers.push_back({"Content-Length", "5"});
  }
  SUBCASE("a target that is not origin-form") {
    r.target = "http://127.0.0.1/x";
  }
  SUBCASE("a space in the target") {
    r.target = "/a b";
  }
  SUBCASE("a method that is not a token") {
    r.method = "GET /x HTTP/1.1\r\n";
  }
  exchange_result out;
  h.run(send_one(&client, std::move(r), &out));
  CHECK(out.ec == boost::system::errc::invalid_argument);
  CHECK_MESSAGE(out.error_text.find("request not sent") != std::string::npos, out.error_text);
  CHECK(server.accepted == 0);
}

TEST_CASE("fixed headers go on every request, after Host and before the request's own") {
  harness h;
  http_test_server server(h.ioc, nullptr);
  h.start(server);
  http_client_options options;
  options.fixed_headers = {{"X-Test", "fixed"}, {"User-Agent", "probe/1"}};
  http_client client(h.ioc.get_executor(), server.origin(), tls_options{}, options);
  std::vector<step> steps;
  steps.push_back({behaviour::echo, get("/a")});
  steps.push_back({behaviour::echo, http_request{"POST", "/b", {{"X-Own", "1"}}, "{}"}});
  std::vector<exchange_result> out;
  h.run(send_steps(&client, &server, std::move(steps), &out));
  REQUIRE(out.size() == 2);
  for (const auto& r : out) {
    CHECK_MESSAGE(!r.ec, r.error_text);
    CHECK(*r.response.header("X-Echo-Test") == "fixed");
  }
  CHECK(*out[0].response.header("X-Echo-Fields") == "Host,X-Test,User-Agent");
  CHECK(*out[1].response.header("X-Echo-Fields") == "Host,X-Test,User-Agent,X-Own,Content-Length");
}

TEST_CASE("a fixed header that would be sent malformed fails every request without traffic") {
  harness h;
  http_test_server server(h.ioc, nullptr);
  h.start(server);
  http_client_options options;
  SUBCASE("CR LF in its value") {
    options.fixed_headers = {{"Authorization", "Bot x\r\nX-Injected: yes"}};
  }
  SUBCASE("a name that is not a token") {
    options.fixed_headers = {{"Bad Name", "x"}};
  }
  SUBCASE("a field the client sets") {
    options.fixed_headers = {{"Connection", "close"}};
  }
  http_client client(h.ioc.get_executor(), server.origin(), tls_options{}, options);
  for (int i = 0; i < 2; ++i) {
    exchange_result out;
    h.run(send_one(&client, get("/ok"), &out));
    CHECK(out.ec == boost::system::errc::invalid_argument);
    CHECK_MESSAGE(out.error_text.find("fixed header refused") != std::string::npos, out.error_text);
  }
  CHECK(server.accepted == 0);
}

TEST_CASE("a server that never answers times out within the configured timeout") {
  harness h;
  auto tls = server_tls(localhost_certificate().pem);
  http_client_options o;
  o.timeout = std::chrono::seconds(1);
  exchange_result out;
  std::string step;
  SUBCASE("http://, no response") {
    http_test_server server(h.ioc, nullptr);
    server.mode = behaviour::silent;
    h.start(server);
    http_client client(h.ioc.get_executor(), server.origin(), tls_options{}, o);
    h.run(send_one(&client, get("/slow"), &out));
    CHECK(server.targets.size() == 1);
    step = "read response";
  }
  SUBCASE("https://, no response") {
    http_test_server server(h.ioc, tls.get());
    server.mode = behaviour::silent;
    h.start(server);
    http_client client(h.ioc.get_executor(), server.origin(), trusting(localhost_certificate()), o);
    h.run(send_one(&client, get("/slow"), &out));
    step = "read response";
  }
  SUBCASE("https://, hanging in the TLS handshake") {
    tcp::acceptor silent(h.ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    asio::co_spawn(h.ioc, accept_and_ignore(&silent), rethrow);
    http_client client(h.ioc.get_executor(),
                       "https://127.0.0.1:" + std::to_string(silent.local_endpoint().port()),
                       trusting(localhost_certificate()), o);
    h.run(send_one(&client, get("/slow"), &out));
    step = "TLS handshake";
  }
  CHECK(out.ec == beast::error::timeout);
  CHECK_MESSAGE(out.error_text.find(step) != std::string::npos, out.error_text);
  CHECK(out.took >= std::chrono::milliseconds(900));
  CHECK(out.took < std::chrono::milliseconds(1500));
  CHECK(out.open_after == 0);
}

TEST_CASE("close() aborts the request in flight and those waiting, and the client stays usable") {
  harness h;
  http_test_server server(h.ioc, nullptr);
  server.mode = behaviour::silent;
  h.start(server);
  http_client_options o;
  o.max_connections = 1;
  http_client client(h.ioc.get_executor(), server.origin(), tls_options{}, o);
  // The server calls close() once the first request has reached it; the other two wait for the
  // only connection by then.
  server.on_silent_request = [&client] { client.close(); };
  std::vector<exchange_result> out(3);
  std::vector<async::task<void>> bodies;
  for (std::size_t i = 0; i < out.size(); ++i)
    bodies.push_back(send_one(&client, get("/wait/" + std::to_string(i)), &out[i]));
  h.run_all(std::move(bodies));
  for (const auto& r : out) {
    CHECK(r.ec == asio::error::operation_aborted);
    CHECK(r.took < std::chrono::seconds(1));  // the timeout is 10 s
    CHECK(r.open_after == 0);
  }
  CHECK(server.targets == std::vector<std::string>{"/wait/0"});
  CHECK(client.open_connections() == 0);

  server.mode = behaviour::echo;
  exchange_result after;
  h.run(send_one(&client, get("/after"), &after));
  CHECK_MESSAGE(!after.ec, after.error_text);
  CHECK(after.response.body == "GET /after\n");
  CHECK(server.accepted == 2);
}

TEST_CASE("close() right after a request gave its slot back: the waiting request does not start") {
  harness h;
  http_test_server server(h.ioc, nullptr);
  h.start(server);
  http_client_options o;
  o.max_connections = 1;
  http_client client(h.ioc.get_executor(), server.origin(), tls_options{}, o);
  SUBCASE("the slot came back empty (Connection: close)") {
    server.mode = behaviour::connection_close;
  }
  SUBCASE("the slot came back with its keep-alive connection") {
    server.mode = behaviour::echo;
  }
  exchange_result first;
  exchange_result second;
  std::vector<async::task<void>> bodies;
  bodies.push_back(send_then_close(&client, get("/first"), &first));
  bodies.push_back(send_one(&client, get("/second"), &second));
  h.run_all(std::move(bodies));
  CHECK_MESSAGE(!first.ec, first.error_text);
  CHECK(second.ec == asio::error::operation_aborted);
  CHECK(server.targets == std::vector<std::string>{"/first"});
  CHECK(client.open_connections() == 0);
  // One more request, so that the server also accepts any connection the aborted one might
  // have opened: there must be none.
  server.mode = behaviour::echo;
  exchange_result third;
  h.run(send_one(&client, get("/third"), &third));
  CHECK_MESSAGE(!third.ec, third.error_text);
  CHECK(server.accepted == 2);
  CHECK(server.targets == std::vector<std::string>{"/first", "/third"});
}

// ---- the exchange watchdog ---------------------------------------------------------------------

namespace {

// Sends echo requests one after the other until `span` has passed, recording each.
async::task<void> send_for(http_client* client, steady_clock::duration span,
                           std::vector<exchange_result>* out) {
  const auto until = steady_clock::now() + span;
  while (steady_clock::now() < until) {
    exchange_result r;
    co_await send_one(client, get("/busy/" + std::to_string(out->size())), &r);
    out->push_back(std::move(r));
  }
}

// Sends echo requests, then one the server leaves unanswered.
async::task<void> warm_then_silent(http_client* client, http_test_server* server,
                                   std::vector<exchange_result>* out) {
  for (int i = 0; i < 3; ++i) {
    exchange_result r;
    co_await send_one(client, get("/warm"), &r);
    out->push_back(std::move(r));
  }
  server->mode = behaviour::silent;
  exchange_result r;
  co_await send_one(client, get("/slow"), &r);
  out->push_back(std::move(r));
}

// One request, then the client is closed or destroyed and the server stops accepting: nothing is
// left to run, so run() must return, not wait for the watchdog's deadline.
async::task<void> send_then_end(std::unique_ptr<http_client>* client, bool destroy,
                                tcp::acceptor* acceptor, exchange_result* out) {
  co_await send_one(client->get(), get("/once"), out);
  if (destroy) {
    client->reset();
  } else {
    (*client)->close();
  }
  acceptor->close();
}

}  // namespace

TEST_CASE("the watchdog times out an unanswered request on a connection used before") {
  harness h;
  auto tls = server_tls(localhost_certificate().pem);
  // The timeout covers every exchange, the first one's resolve and TLS handshake too, and
  // those can take a few hundred milliseconds under the sanitizers on a busy machine.
  http_client_options o;
  o.timeout = std::chrono::seconds(1);
  std::vector<exchange_result> out;
  std::size_t accepted = 0;
  SUBCASE("http://") {
    http_test_server server(h.ioc, nullptr);
    h.start(server);
    http_client client(h.ioc.get_executor(), server.origin(), tls_options{}, o);
    h.run(warm_then_silent(&client, &server, &out));
    accepted = static_cast<std::size_t>(server.accepted);
  }
  SUBCASE("https://") {
    http_test_server server(h.ioc, tls.get());
    h.start(server);
    http_client client(h.ioc.get_executor(), server.origin(), trusting(localhost_certificate()), o);
    h.run(warm_then_silent(&client, &server, &out));
    accepted = static_cast<std::size_t>(server.accepted);
  }
  REQUIRE(out.size() == 4);
  for (std::size_t i = 0; i < 3; ++i)
    CHECK_MESSAGE(!out[i].ec, out[i].error_text);
  CHECK(accepted == 1);
  const auto& slow = out.back();
  CHECK(slow.ec == beast::error::timeout);
  CHECK_MESSAGE(slow.error_text.find("read response from 127.0.0.1:") != std::string::npos,
                slow.error_text);
  CHECK(slow.took >= o.timeout);
  // The watchdog waits for the earliest deadline itself: the slack is the scheduler's, not a
  // polling period's (which would add up to a whole timeout).
  CHECK(slow.took < o.timeout + std::chrono::milliseconds(500));
  CHECK(slow.open_after == 0);
}

TEST_CASE("the watchdog leaves a busy connection alone while its exchanges keep finishing") {
  harness h;
  http_test_server server(h.ioc, nullptr);
  h.start(server);
  http_client_options o;
  // Each exchange must finish within it, under the sanitizers on a busy machine too.
  o.timeout = std::chrono::milliseconds(250);
  http_client client(h.ioc.get_executor(), server.origin(), tls_options{}, o);
  std::vector<exchange_result> out;
  // Five timeouts' worth of back-to-back exchanges: the watchdog wakes several times while
  // one runs or between two.
  h.run(send_for(&client, 5 * o.timeout, &out));
  REQUIRE(out.size() > 5);
  for (const auto& r : out) {
    CHECK_MESSAGE(!r.ec, r.error_text);
    CHECK(r.open_after == 1);
  }
  CHECK(server.accepted == 1);
  CHECK(client.open_connections() == 1);
}

TEST_CASE("close() and the destructor end the watchdog's wait: run() returns") {
  asio::io_context ioc;
  http_test_server server(ioc, nullptr);
  asio::co_spawn(ioc, serve(&server), rethrow);
  http_client_options o;
  o.timeout = std::chrono::seconds(10);
  auto client =
      std::make_unique<http_client>(ioc.get_executor(), server.origin(), tls_options{}, o);
  bool destroy = false;
  SUBCASE("close()") {
    destroy = false;
  }
  SUBCASE("destroyed") {
    destroy = true;
  }
  exchange_result out;
  asio::co_spawn(ioc, send_then_end(&client, destroy, &server.acceptor, &out), rethrow);
  const auto start = steady_clock::now();
  ioc.run();  // no stop(): it returns only once no work is left
  CHECK_MESSAGE(!out.ec, out.error_text);
  CHECK(out.response.body == "GET /once\n");
  CHECK(steady_clock::now() - start < std::chrono::seconds(5));
  CHECK((client == nullptr) == destroy);
}
