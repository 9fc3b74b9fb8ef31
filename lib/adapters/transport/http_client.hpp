// A keep-alive HTTP/1.1 client for one origin, over TLS (https://) or, on loopback only, plain
// TCP (http://). The Discord REST client uses it for https://discord.com and, in tests, for an
// emulator on http://127.0.0.1:PORT. Beast and OpenSSL stay inside the .cpp (pimpl).
//
// Lifetime and executor: every coroutine of the client runs on the executor given to the
// constructor, and the client must be destroyed before that executor's io_context. Destroying
// the client closes it (see close()); requests still running then end with operation_aborted
// and keep the client's internals alive until they have returned.
//
// Concurrency: send() may be awaited by several coroutines at once; each request gets its own
// connection from a small pool (see send()). Single-threaded: call every member on the
// executor's thread.
//
// Errors: send() returns a boost::system::error_code and never throws for I/O; an HTTP status
// such as 404 or 429 is a successful exchange, not an error. After a failure,
// last_error_text() says what failed in words fit for a log line. The client logs nothing and
// retries only as send() describes: retry policy (429, 5xx) belongs to the caller.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/system/error_code.hpp>

#include "adapters/transport/http_request.hpp"
#include "adapters/transport/http_response.hpp"
#include "adapters/transport/tls_options.hpp"
#include "async/asio.hpp"

namespace tweetup {

struct http_client_options {
  // Keep-alive connections to the origin at once, counting those being opened (at least 1).
  std::size_t max_connections = 4;
  // The budget of resolve + TCP connect + TLS handshake, and then again of each whole
  // request/response exchange. Running out gives beast::error::timeout. An exchange's budget is
  // kept by a watchdog timer shared by the client's connections (see send()).
  std::chrono::milliseconds timeout{std::chrono::seconds(10)};
  // A larger response body fails the request with beast::http::error::body_limit and drops
  // the connection.
  std::size_t max_response_body = std::size_t{8} << 20;
  // An idle keep-alive connection unused for this long or longer is closed instead of reused
  // (servers drop idle connections on their own schedule; the retry in send() covers the rest).
  std::chrono::seconds idle_timeout{60};
  // Sent with every request, after Host and before its own headers: fields that never change, such
  // as a User-Agent or credentials. Checked and written out once, here, rather than per request; a
  // bad one (not a token name, CR/LF/NUL in the value, a field the client sets) makes every
  // send() fail at once with errc::invalid_argument, like a bad origin.
  std::vector<http_header> fixed_headers;
};

class http_client {
 public:
  // `origin` is "https://host[:port]" or "http://host[:port]", optionally with a final "/".
  // It is checked here, and a bad one makes every send() fail at once, with no traffic:
  // errc::invalid_argument for anything that is not such an origin (another scheme, a path,
  // a query, credentials: request targets carry the path, e.g. "/api/v10/..."), and
  // errc::permission_denied for http:// to a host that is not loopback (127.0.0.0/8, ::1,
  // localhost). https:// verifies the certificate chain against the system trust store plus
  // tls.ca_file, checks the host name and sends SNI.
  http_client(async::executor ex, std::string origin, tls_options tls, http_client_options o = {});
  ~http_client();
  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;

  // Sends one request and reads its whole response.
  //
  // Connections: the request takes the most recently used idle keep-alive connection, or opens
  // a new one while fewer than max_connections exist; beyond that it waits its turn (FIFO). A
  // connection is kept for reuse only after a complete response that allows it (no
  // "Connection: close", no body delimited by the end of the stream, no extra bytes after it).
  //
  // Retries: a request that fails on a reused connection before any response byte arrived,
  // because the peer had closed it (end of stream, reset, broken pipe, TLS truncation), is
  // sent once more on a fresh connection. Nothing else is retried: a failure to connect, a
  // timeout or any failure on a fresh connection is returned as it is.
  //
  // Request checks (errc::invalid_argument, nothing sent): the method must be an HTTP token,
  // the target must start with '/' and hold no spaces or control characters, header names must
  // be tokens and values must hold no CR, LF or NUL, and Host, Content-Length, Connection and
  // Transfer-Encoding are the client's to set.
  //
  // Errors besides those: what resolve, connect and TLS report; a response that
  // http_response_reader refuses, as the beast::http::error code of the same name (e.g.
  // bad_content_length, header_limit over 64 KiB of header); end_of_stream when the peer closed
  // before any byte of a response and partial_message when it closed inside one;
  // beast::error::timeout when the exchange outlasts options.timeout; body_limit as above;
  // operation_aborted after close().
  //
  // Timeouts: an exchange writes its deadline into its connection, and one watchdog timer per
  // client closes the connections whose deadline has passed, so that a request costs no timer
  // operation of its own. The watchdog keeps waiting, as work on the executor, until no exchange
  // is left running when it wakes (up to options.timeout after the last one); close() and the
  // destructor end it at once.
  async::task<std::pair<boost::system::error_code, http_response>> send(http_request request);

  // Closes every connection now. Requests in flight or waiting for a connection end with
  // operation_aborted. The client stays usable: a later send() opens new connections.
  void close();

  // Words for the last failed send() (empty when none yet). They name the origin and the step
  // that failed, never the request's target or header values, which may carry tokens.
  const std::string& last_error_text() const;
  // Connections whose socket is open, idle or busy (for tests and metrics).
  std::size_t open_connections() const;

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace tweetup
