// The connect sequence, written once for both clients. Asio only: the TLS steps are
// tls_session's, on the socket itself.
#include "adapters/transport/connect_steps.hpp"

#include <functional>
#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/system/errc.hpp>

namespace tweetup::transport_detail {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using boost::system::error_code;

error_code fail(error_code ec, std::string what, std::string* error_text) {
  *error_text = std::move(what);
  if (ec) *error_text += ": " + ec.message();
  return ec;
}

error_code refuse_plain(const parsed_url& u, const std::string& why, std::string* error_text) {
  *error_text = "refused plain " + u.scheme + ":// to " + u.host + ", which " + why + "; use " +
                u.scheme + "s://";
  return boost::system::errc::make_error_code(boost::system::errc::permission_denied);
}

// Runs `on_expiry` if `deadline` comes before the guard is destroyed; expired() then says so.
// Destroying the guard disarms it, also when its timer's handler is queued already. The
// handler may run after the guard and its frame are gone, so `on_expiry` must own what it
// touches, or point only at what outlives the executor's work.
class deadline_guard {
 public:
  deadline_guard(const async::executor& ex, clock_type::time_point deadline,
                 std::function<void()> on_expiry)
      : state_(std::make_shared<state>()), timer_(ex, deadline) {
    timer_.async_wait([state = state_, act = std::move(on_expiry)](error_code ec) {
      if (ec || state->disarmed) return;
      state->expired = true;
      act();
    });
  }
  ~deadline_guard() { state_->disarmed = true; }
  deadline_guard(const deadline_guard&) = delete;
  deadline_guard& operator=(const deadline_guard&) = delete;

  bool expired() const { return state_->expired; }

 private:
  struct state {
    bool disarmed = false;
    bool expired = false;
  };
  std::shared_ptr<state> state_;
  asio::steady_timer timer_;
};

// A guard that closes `socket` at the deadline, which ends whatever waits on it with an error.
// The socket is the caller's and outlives the guard; once disarmed, the handler leaves it be.
deadline_guard closing_at(tcp::socket* socket, clock_type::time_point deadline) {
  return deadline_guard(socket->get_executor(), deadline, [socket] {
    error_code ignored;
    socket->close(ignored);
  });
}

// The resolver has no expiry of its own: the guard cancels it. The handler shares the resolver,
// since it may run after this frame is gone.
async::task<std::pair<error_code, tcp::resolver::results_type>> resolve(
    std::shared_ptr<tcp::resolver> resolver, parsed_url u, clock_type::time_point deadline,
    std::string* error_text) {
  const deadline_guard guard(resolver->get_executor(), deadline,
                             [resolver] { resolver->cancel(); });
  auto [ec, endpoints] = co_await resolver->async_resolve(u.host, u.port, async::nothrow);
  if (ec) {
    if (guard.expired()) ec = beast::error::timeout;
    co_return std::pair{fail(ec, "resolve " + u.host, error_text), std::move(endpoints)};
  }
  co_return std::pair{error_code{}, std::move(endpoints)};
}

async::task<error_code> connect_tcp(tcp::socket* socket, tcp::resolver::results_type endpoints,
                                    parsed_url u, clock_type::time_point deadline,
                                    std::string* error_text) {
  const deadline_guard guard = closing_at(socket, deadline);
  // Asio tries the addresses in turn, opening the socket again for each: once the deadline
  // has closed it, the condition stops it from trying the next.
  auto [ec, endpoint] = co_await asio::async_connect(
      *socket, endpoints,
      [&guard](const error_code&, const tcp::endpoint&) { return !guard.expired(); },
      async::nothrow);
  if (guard.expired()) ec = beast::error::timeout;
  if (ec) co_return fail(ec, "connect to " + u.host + ":" + u.port, error_text);
  // Chat traffic is small request/response exchanges: Nagle's algorithm holding a short write
  // back until the peer's (delayed) ACK would add tens of milliseconds to each of them.
  error_code ignored;
  socket->set_option(tcp::no_delay(true), ignored);
  co_return error_code{};
}

}  // namespace

async::task<error_code> open_plain(std::shared_ptr<tcp::resolver> resolver, net_stream* stream,
                                   parsed_url u, clock_type::time_point deadline,
                                   std::string* error_text) {
  if (!is_loopback_host(u.host)) {
    co_return refuse_plain(u, "is not loopback (127.0.0.0/8, ::1, localhost)", error_text);
  }
  auto [resolve_ec, endpoints] = co_await resolve(std::move(resolver), u, deadline, error_text);
  if (resolve_ec) co_return resolve_ec;
  // "localhost" comes from the resolver, so check what it gave, too.
  for (const auto& entry : endpoints) {
    if (!entry.endpoint().address().is_loopback()) {
      co_return refuse_plain(
          u, "resolves to " + entry.endpoint().address().to_string() + ", not loopback",
          error_text);
    }
  }
  const auto ec =
      co_await connect_tcp(&stream->socket(), std::move(endpoints), u, deadline, error_text);
  co_return ec;
}

async::task<error_code> open_tls(std::shared_ptr<tcp::resolver> resolver, net_stream* stream,
                                 tls_client_context* tls, parsed_url u,
                                 clock_type::time_point deadline, std::string* error_text) {
  if (tls->load_error()) co_return fail(tls->load_error(), tls->load_error_text(), error_text);
  auto [resolve_ec, endpoints] = co_await resolve(std::move(resolver), u, deadline, error_text);
  if (resolve_ec) co_return resolve_ec;
  const auto connect_ec =
      co_await connect_tcp(&stream->socket(), std::move(endpoints), u, deadline, error_text);
  if (connect_ec) co_return connect_ec;

  if (const auto ec = stream->start_tls(tls->native().native_handle())) {
    co_return fail(ec, "start TLS with " + u.host, error_text);
  }
  if (const auto ec = stream->tls()->expect_peer(u.host, tls->verify())) {
    co_return fail(ec, "set SNI and the expected name to " + u.host, error_text);
  }
  if (SSL_SESSION* ticket = tls->take_session(u.host)) stream->tls()->resume(ticket);
  const deadline_guard guard = closing_at(&stream->socket(), deadline);
  auto [handshake_ec] = co_await stream->async_handshake(async::nothrow);
  if (guard.expired()) handshake_ec = beast::error::timeout;
  if (handshake_ec) {
    std::string what = "TLS handshake with " + u.host + ":" + u.port;
    if (const auto why = stream->tls()->verify_failure(); !why.empty()) what += " (" + why + ")";
    co_return fail(handshake_ec, std::move(what), error_text);
  }
  co_return error_code{};
}

}  // namespace tweetup::transport_detail
