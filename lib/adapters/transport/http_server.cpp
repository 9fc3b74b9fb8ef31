// One of the transport's Beast translation units (about 25 s and 1 GB to compile), hence the
// pimpl in the header.
#include "adapters/transport/http_server.hpp"

#include <algorithm>
#include <array>
#include <exception>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "async/supervise.hpp"
#include "logging/layer_log.hpp"

namespace tweetup {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using request_parser = http::request_parser<http::string_body>;
using response_message = http::response<http::string_body>;

// After an error answer the client may still be sending the rest of its request. Closing with
// unread bytes in the socket makes the kernel send RST, which can destroy the answer before the
// client reads it; so the server stops sending, then reads and drops what still arrives, for a
// short while and a bounded amount.
constexpr auto linger_time = std::chrono::seconds(1);
constexpr std::size_t linger_bytes = 64 * 1024;

// A failed read that deserves an answer (the request is at fault), and which one.
unsigned status_for(const error_code& ec) {
  if (ec == http::error::header_limit) return 431;
  if (ec == http::error::body_limit) return 413;
  // The client went away or went quiet: nobody to answer.
  if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
      ec == beast::error::timeout ||
      ec.category() != http::make_error_code(http::error::bad_target).category()) {
    return 0;
  }
  return 400;
}

std::string_view reason_body(unsigned status) {
  switch (status) {
    case 400:
      return "bad request\n";
    case 413:
      return "request body too large\n";
    case 431:
      return "request header fields too large\n";
    default:
      return "internal server error\n";
  }
}

}  // namespace

struct http_server::impl {
  impl(async::executor e, handler h, http_server_options o)
      : ex(std::move(e)), on_request(std::move(h)), options(o), acceptor(ex), retry_timer(ex) {}

  // Lists a connection's stream for stop() while the connection's coroutine runs.
  struct listed {
    listed(impl* o, beast::tcp_stream* s) : owner(o), stream(s) { owner->streams.push_back(s); }
    ~listed() {
      auto& all = owner->streams;
      all.erase(std::find(all.begin(), all.end(), stream));
      --owner->connections;
    }
    listed(const listed&) = delete;
    listed& operator=(const listed&) = delete;
    impl* owner;
    beast::tcp_stream* stream;
  };

  http_server_reply call_handler(const http_server_request& request) {
    try {
      return on_request(request);
    } catch (const std::exception& e) {
      layer_log("http")->error("handler failed on {} {}: {}", request.method, request.target,
                               e.what());
    } catch (...) {
      layer_log("http")->error("handler failed on {} {}", request.method, request.target);
    }
    http_server_reply failed;
    failed.status = 500;
    failed.body = reason_body(500);
    return failed;
  }

  static async::task<void> linger(beast::tcp_stream* stream) {
    error_code ignored;
    stream->socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream->expires_after(linger_time);
    std::array<char, 4096> sink{};
    std::size_t dropped = 0;
    while (dropped < linger_bytes) {
      auto [ec, n] = co_await stream->async_read_some(asio::buffer(sink), async::nothrow);
      if (ec) break;
      dropped += n;
    }
  }

  // Answers a request the parser refused, then ends the connection.
  static async::task<void> refuse(beast::tcp_stream* stream, unsigned status,
                                  std::chrono::milliseconds timeout) {
    response_message res;
    res.version(11);
    res.result(status);
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.keep_alive(false);
    res.body() = std::string(reason_body(status));
    res.prepare_payload();
    stream->expires_after(timeout);
    auto [ec, n] = co_await http::async_write(*stream, res, async::nothrow);
    if (!ec) co_await linger(stream);
  }

  // One connection, request after request. `self` keeps the server's state alive as long as
  // the connection runs.
  static async::task<void> serve(std::shared_ptr<impl> self, tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    listed entry(self.get(), &stream);
    beast::flat_buffer buffer;
    for (;;) {
      request_parser parser;
      parser.header_limit(self->options.header_limit);
      parser.body_limit(self->options.body_limit);
      stream.expires_after(self->options.read_timeout);
      auto [read_ec, read_size] = co_await http::async_read(stream, buffer, parser, async::nothrow);
      if (self->stopped) co_return;
      if (read_ec) {
        if (const unsigned status = status_for(read_ec); status != 0) {
          co_await refuse(&stream, status, self->options.read_timeout);
        }
        co_return;
      }
      const auto& req = parser.get();
      http_server_request view;
      view.method = std::string(req.method_string());
      view.target = std::string(req.target());
      view.head = req.method() == http::verb::head;
      http_server_reply reply = self->call_handler(view);

      response_message res;
      res.version(req.version());
      res.result(reply.status);
      for (auto& h : reply.headers)
        res.insert(h.name, h.value);
      res.set(http::field::content_type, reply.content_type);
      const bool keep = req.keep_alive();
      res.keep_alive(keep);
      if (view.head) {
        res.content_length(reply.body.size());  // RFC 9110 §9.3.2: as for GET, without content
      } else {
        res.body() = std::move(reply.body);
        res.prepare_payload();
      }
      stream.expires_after(self->options.read_timeout);
      auto [write_ec, written] = co_await http::async_write(stream, res, async::nothrow);
      if (write_ec || self->stopped) co_return;
      if (!keep) {
        co_await linger(&stream);
        co_return;
      }
    }
  }

  static async::task<void> accept_loop(std::shared_ptr<impl> self) {
    while (!self->stopped) {
      auto [ec, socket] = co_await self->acceptor.async_accept(async::nothrow);
      if (self->stopped) co_return;
      if (ec) {
        // Out of descriptors (EMFILE/ENFILE) and similar: the listening socket is fine, so try
        // again shortly rather than spin or give up.
        layer_log("http")->warn("accepting a connection on {} failed: {}", self->bound_text,
                                ec.message());
        self->retry_timer.expires_after(std::chrono::milliseconds(100));
        co_await self->retry_timer.async_wait(async::nothrow);
        continue;
      }
      if (self->connections >= self->options.max_connections) {
        layer_log("http")->debug("connection refused: {} already open", self->connections);
        error_code ignored;
        socket.close(ignored);
        continue;
      }
      ++self->connections;
      async::supervise(self->ex, serve(self, std::move(socket)), "http connection");
    }
  }

  async::executor ex;
  handler on_request;
  http_server_options options;
  tcp::acceptor acceptor;
  asio::steady_timer retry_timer;
  std::vector<beast::tcp_stream*> streams;
  std::size_t connections = 0;
  std::uint16_t bound_port = 0;
  std::string bound_text;
  std::string error_text;
  bool stopped = false;
};

http_server::http_server(async::executor ex, handler on_request, http_server_options options)
    : impl_(std::make_shared<impl>(std::move(ex), std::move(on_request), options)) {}

http_server::~http_server() {
  stop();
}

boost::system::error_code http_server::listen(const std::string& host, std::uint16_t port) {
  impl& s = *impl_;
  error_code ec;
  tcp::endpoint endpoint;
  const auto literal = asio::ip::make_address(host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(literal, port);
  } else {
    tcp::resolver resolver(s.ex);
    const auto results = resolver.resolve(
        host, std::to_string(port), tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec || results.empty()) {
      if (!ec) ec = asio::error::host_not_found;
      s.error_text = "cannot resolve " + host + ": " + ec.message();
      return ec;
    }
    endpoint = results.begin()->endpoint();
  }
  const auto fail = [&](const char* step) {
    s.error_text =
        std::string(step) + " " + host + ":" + std::to_string(port) + ": " + ec.message();
    error_code ignored;
    s.acceptor.close(ignored);
    return ec;
  };
  s.acceptor.open(endpoint.protocol(), ec);
  if (ec) return fail("open a socket for");
  s.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (ec) return fail("configure");
  s.acceptor.bind(endpoint, ec);
  if (ec) return fail("bind");
  s.acceptor.listen(tcp::acceptor::max_listen_connections, ec);
  if (ec) return fail("listen on");
  const auto bound = s.acceptor.local_endpoint(ec);
  if (ec) return fail("read the address of");
  s.bound_port = bound.port();
  const auto text = bound.address().to_string();
  s.bound_text =
      (bound.address().is_v6() ? "[" + text + "]" : text) + ":" + std::to_string(s.bound_port);
  async::supervise(s.ex, impl::accept_loop(impl_), "http server");
  return {};
}

std::uint16_t http_server::port() const {
  return impl_->bound_port;
}

std::string http_server::address() const {
  return impl_->bound_text;
}

const std::string& http_server::last_error_text() const {
  return impl_->error_text;
}

void http_server::stop() {
  impl& s = *impl_;
  if (s.stopped) return;
  s.stopped = true;
  error_code ignored;
  s.acceptor.close(ignored);
  s.retry_timer.cancel();
  for (auto* stream : s.streams)
    stream->close();
}

std::size_t http_server::open_connections() const {
  return impl_->connections;
}

}  // namespace tweetup
