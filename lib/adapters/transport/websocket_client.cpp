// One of the transport's Beast translation units (about 25 s and 1 GB to compile), hence the
// pimpl in the header. Beast's websocket::stream runs over a net_stream, plain or TLS: one
// instantiation of it for both.
#include "adapters/transport/websocket_client.hpp"

#include <algorithm>
#include <memory>
#include <optional>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <boost/system/errc.hpp>

#include "adapters/transport/connect_steps.hpp"
#include "adapters/transport/net_stream.hpp"
#include "adapters/transport/parsed_url.hpp"
#include "adapters/transport/tls_client_context.hpp"

// How Beast's websocket::stream ends the connection under it after the closing handshake (or a
// failure), found by argument-dependent lookup: close_notify when it is TLS, sent if the socket
// takes it at once, then the TCP teardown (shut down sending, read to the end, close). The
// peer's own close_notify is read and dropped with the rest: a closed WebSocket has nothing
// left to trust.
namespace tweetup::transport_detail {

void teardown(boost::beast::role_type role, net_stream& stream, boost::system::error_code& ec) {
  stream.send_close_notify();
  boost::beast::websocket::teardown(role, stream.socket(), ec);
}

template <typename TeardownHandler>
void async_teardown(boost::beast::role_type role, net_stream& stream, TeardownHandler&& handler) {
  stream.send_close_notify();
  boost::beast::websocket::async_teardown(role, stream.socket(),
                                          std::forward<TeardownHandler>(handler));
}

}  // namespace tweetup::transport_detail

#include <boost/beast/websocket.hpp>

namespace tweetup {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using transport_detail::clock_type;

using ws_stream = websocket::stream<transport_detail::net_stream>;

error_code errc_code(boost::system::errc::errc_t e) {
  return boost::system::errc::make_error_code(e);
}

std::string join(const std::vector<std::string>& parts) {
  std::string joined;
  for (const auto& part : parts) {
    if (!joined.empty()) joined += ", ";
    joined += part;
  }
  return joined;
}

}  // namespace

struct websocket_client::impl {
  impl(async::executor e, tls_options t) : ex(std::move(e)), tls(t) {}

  error_code fail(error_code ec, std::string what) {
    error_text = std::move(what);
    if (ec) error_text += ": " + ec.message();
    return ec;
  }

  void reset() {
    ws.reset();
    buffer.clear();
  }

  // Closing the socket ends whatever operation is pending on it, and cancelling the resolver
  // ends a lookup (connect_steps.hpp).
  void abort_now() {
    if (resolver) resolver->cancel();
    error_code ignored;
    if (ws) ws->next_layer().socket().close(ignored);
  }

  void cancel() {
    cancelled = true;
    abort_now();
    // The stream goes too once nothing runs on it: Beast's websocket keeps a timer (the close
    // handshake's 10 s) that outlives the socket, and only destroying the stream stops it.
    if (busy == 0) reset();
    // A step that completed just before cancel() has its continuation queued already, and that
    // may open the socket (TCP connect after resolve) after the close above. A second pass,
    // queued behind it, closes that one too; the check after each step of connect() covers
    // the rest.
    asio::post(ex, [this, alive = std::weak_ptr<int>(lifetime)] {
      if (alive.lock() && cancelled) abort_now();
    });
  }

  error_code cancelled_error() {
    reset();
    return fail(asio::error::operation_aborted, "connect cancelled");
  }

  async::task<error_code> connect(std::string url, connect_options o) {
    reset();
    cancelled = false;
    chosen.clear();
    close_code = 0;
    error_text.clear();
    const auto deadline = clock_type::now() + o.timeout;

    const auto parsed = parse_url(url);
    if (!parsed || (parsed->scheme != "ws" && parsed->scheme != "wss")) {
      co_return fail(errc_code(boost::system::errc::invalid_argument),
                     "not a ws:// or wss:// URL: \"" + url + "\"");
    }
    const parsed_url u = *parsed;
    const std::string host_header = u.authority();
    resolver = std::make_shared<tcp::resolver>(ex);
    ws.emplace(ex);
    ws->next_layer().set_ack_at_once(o.ack_at_once);
    error_code open_ec;
    if (u.secure()) {
      const auto tls_ec = co_await transport_detail::open_tls(resolver, &ws->next_layer(), &tls, u,
                                                              deadline, &error_text);
      open_ec = tls_ec;
    } else {
      const auto tcp_ec = co_await transport_detail::open_plain(resolver, &ws->next_layer(), u,
                                                                deadline, &error_text);
      open_ec = tcp_ec;
    }
    if (cancelled) co_return cancelled_error();
    if (open_ec) {
      reset();
      co_return open_ec;
    }
    const auto ws_ec = co_await handshake(host_header, u.target, o, deadline);
    if (cancelled) co_return cancelled_error();
    if (ws_ec) reset();
    co_return ws_ec;
  }

  // The WebSocket upgrade of `ws`, under Beast's own handshake timeout.
  async::task<error_code> handshake(std::string host_header, std::string target, connect_options o,
                                    clock_type::time_point deadline) {
    const auto left = deadline - clock_type::now();
    if (left <= clock_type::duration::zero()) {
      co_return fail(beast::error::timeout, "WebSocket handshake with " + host_header);
    }
    auto limits = websocket::stream_base::timeout::suggested(beast::role_type::client);
    limits.handshake_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(left);
    ws->set_option(limits);
    ws->set_option(websocket::stream_base::decorator(
        [origin = o.origin, offer = join(o.subprotocols)](websocket::request_type& req) {
          req.set(http::field::user_agent, "tweetup");
          if (!origin.empty()) req.set(http::field::origin, origin);
          if (!offer.empty()) req.set(http::field::sec_websocket_protocol, offer);
        }));
    ws->read_message_max(o.max_message_size);
    websocket::response_type response;
    auto [ec] = co_await ws->async_handshake(response, host_header, target, async::nothrow);
    if (ec) {
      std::string what = "WebSocket handshake with " + host_header;
      if (ec == websocket::error::upgrade_declined) {
        what += " (HTTP " + std::to_string(response.result_int()) + ")";
      }
      co_return fail(ec, std::move(what));
    }
    // RFC 6455 §4.1: a subprotocol we did not offer fails the connection. None at all is fine
    // (IRCv3 websocket: servers MAY answer without one; InspIRCd 3.15 does).
    const std::string picked(response[http::field::sec_websocket_protocol]);
    if (!picked.empty() &&
        std::find(o.subprotocols.begin(), o.subprotocols.end(), picked) == o.subprotocols.end()) {
      co_return fail(errc_code(boost::system::errc::protocol_error),
                     "server picked subprotocol \"" + picked + "\", which was not offered");
    }
    chosen = picked;
    // The closing handshake gets the whole budget again.
    limits.handshake_timeout = o.timeout;
    ws->set_option(limits);
    ws->text(true);
    co_return error_code{};
  }

  // What a read that gave (ec, size) returns: the message, or the failure in words.
  std::pair<error_code, std::string> read_result(error_code ec, std::size_t size) {
    if (ec) {
      if (ws->reason().code != websocket::close_code::none) close_code = ws->reason().code;
      std::string what = "read";
      if (close_code != 0) {
        what += " (peer closed with " + std::to_string(close_code);
        if (!ws->reason().reason.empty())
          what +=
              " \"" + std::string(ws->reason().reason.data(), ws->reason().reason.size()) + "\"";
        what += ")";
      }
      return {fail(ec, std::move(what)), std::string{}};
    }
    // flat_buffer holds the message in one piece.
    std::string message = std::move(spare);
    message.assign(static_cast<const char*>(buffer.data().data()), buffer.size());
    buffer.consume(size);
    return {error_code{}, std::move(message)};
  }

  async::task<error_code> close_on(std::uint16_t code, std::string reason) {
    // A close frame carries at most 123 bytes of reason (RFC 6455 §5.5).
    if (reason.size() > 123) reason.resize(123);
    websocket::close_reason why(code);
    why.reason.assign(reason.data(), reason.size());
    auto [ec] = co_await ws->async_close(why, async::nothrow);
    if (ec) co_return fail(ec, "close");
    co_return error_code{};
  }

  async::executor ex;
  transport_detail::tls_client_context tls;
  std::shared_ptr<tcp::resolver> resolver;  // of the last connect()
  bool cancelled = false;                   // cancel() since the last connect() began
  std::shared_ptr<int> lifetime = std::make_shared<int>(0);  // expires with this impl
  int busy = 0;                                              // operations in flight
  std::optional<ws_stream> ws;
  beast::flat_buffer buffer;
  std::string spare;  // storage handed back by reuse(), for the next message
  std::string chosen;
  std::uint16_t close_code = 0;
  std::string error_text;
};

// Counts an operation in flight; the last one to end after a cancel() drops the stream.
struct websocket_client::in_flight {
  explicit in_flight(impl* s) : self(s) { ++self->busy; }
  ~in_flight() {
    if (--self->busy == 0 && self->cancelled) self->reset();
  }
  in_flight(const in_flight&) = delete;
  in_flight& operator=(const in_flight&) = delete;
  impl* self;
};

websocket_client::websocket_client(async::executor ex, tls_options tls)
    : impl_(std::make_unique<impl>(std::move(ex), std::move(tls))) {}

websocket_client::~websocket_client() = default;

async::task<boost::system::error_code> websocket_client::connect(std::string url,
                                                                 connect_options o) {
  const in_flight counted(impl_.get());
  auto ec = co_await impl_->connect(std::move(url), std::move(o));
  co_return ec;
}

async::task<std::pair<boost::system::error_code, std::string>> websocket_client::read() {
  const in_flight counted(impl_.get());
  if (!impl_->ws)
    co_return std::pair{impl_->fail(asio::error::not_connected, "read"), std::string{}};
  impl_->buffer.clear();
  auto [ec, size] = co_await impl_->ws->async_read(impl_->buffer, async::nothrow);
  co_return impl_->read_result(ec, size);
}

void websocket_client::reuse(std::string spent) {
  // Not the room of a rare big message, which would stay allocated for good.
  if (spent.capacity() > impl_->spare.capacity() && spent.capacity() <= max_reused_bytes) {
    impl_->spare = std::move(spent);
  }
}

async::task<boost::system::error_code> websocket_client::write(std::string text) {
  const in_flight counted(impl_.get());
  if (!impl_->ws) co_return impl_->fail(asio::error::not_connected, "write");
  auto [ec, size] = co_await impl_->ws->async_write(asio::buffer(text), async::nothrow);
  if (ec) co_return impl_->fail(ec, "write");
  co_return error_code{};
}

async::task<boost::system::error_code> websocket_client::close(std::uint16_t code,
                                                               std::string reason) {
  const in_flight counted(impl_.get());
  if (!impl_->ws) co_return impl_->fail(asio::error::not_connected, "close");
  auto ec = co_await impl_->close_on(code, std::move(reason));
  co_return ec;
}

void websocket_client::cancel() {
  impl_->cancel();
}

bool websocket_client::is_open() const {
  return impl_->ws && impl_->ws->is_open();
}

const std::string& websocket_client::chosen_subprotocol() const {
  return impl_->chosen;
}

void websocket_client::set_binary(bool binary) {
  if (impl_->ws) impl_->ws->binary(binary);
}

std::uint16_t websocket_client::close_code() const {
  return impl_->close_code;
}

const std::string& websocket_client::last_error_text() const {
  return impl_->error_text;
}

}  // namespace tweetup
