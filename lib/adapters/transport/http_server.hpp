// A small HTTP/1.1 server for the bot's operations endpoint (health, metrics, calendar feeds).
// Beast stays inside the .cpp (pimpl); routing is the caller's plain synchronous handler.
//
// - Keep-alive: a connection serves requests one after another until the client closes it,
//   asks for "Connection: close" (or speaks HTTP/1.0 without keep-alive), or stays silent for
//   read_timeout. The same timeout bounds each request from its first byte to its last, so a
//   client that trickles a request (slow loris) is dropped, and each response's write.
// - Limits, enforced by Beast's parser: a request head larger than header_limit is answered
//   431, a body larger than body_limit 413, anything malformed 400; each of these closes the
//   connection. Beyond max_connections at once, a new connection is closed as soon as it is
//   accepted, without an answer.
// - HEAD: the handler sees head = true and answers as for GET; the server sends the headers
//   (with the Content-Length of that body) and no body.
// - A handler that throws gives 500 (the exception is logged once, here).
//
// Lifetime and executor: every coroutine runs on the executor given to the constructor, and
// the server must be destroyed before that executor's io_context. The handler is called on that
// executor and must stay valid until stop() (or the destructor); it is never called after.
// Single-threaded: call every member on the executor's thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/system/error_code.hpp>

#include "adapters/transport/http_header.hpp"
#include "async/asio.hpp"

namespace tweetup {

// What the handler sees of a request.
struct http_server_request {
  std::string method;  // as received, e.g. "GET" (case-sensitive, RFC 9110 §9.1)
  std::string target;  // as received, e.g. "/healthz" or "/calendar/abc.ics?x=1"
  bool head = false;   // method is HEAD: the body of the reply is not sent
};

struct http_server_reply {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  // Added as given (e.g. Allow, Cache-Control). Content-Type, Content-Length and Connection
  // are the server's to set.
  std::vector<http_header> headers;
};

struct http_server_options {
  std::chrono::milliseconds read_timeout{10'000};
  std::size_t max_connections = 64;
  std::uint32_t header_limit = 8 * 1024;  // request line and header fields together
  std::uint64_t body_limit = 0;           // the ops endpoint takes no request bodies
};

class http_server {
 public:
  using handler = std::function<http_server_reply(const http_server_request&)>;

  http_server(async::executor ex, handler on_request, http_server_options options = {});
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  // Binds `host` (an IPv4 or IPv6 literal without brackets, or a name resolved here, blocking,
  // the first address it gives being used) and `port` (0 for an ephemeral port), listens and
  // starts accepting. Errors: the resolver's or the socket's (address_in_use,
  // address_not_available, …); last_error_text() then says what failed. Call once.
  boost::system::error_code listen(const std::string& host, std::uint16_t port);
  // The port actually bound (the ephemeral one after listen(host, 0)); 0 before listen().
  std::uint16_t port() const;
  // "host:port" as bound, IPv6 in brackets, for log lines.
  std::string address() const;
  const std::string& last_error_text() const;

  // Closes the listening socket and every open connection; requests being read or answered end
  // at once. Idempotent.
  void stop();
  std::size_t open_connections() const;

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace tweetup
