// The transport's shared Beast translation unit (besides websocket_client.cpp and
// http_client.cpp), so the connect sequence is compiled and written once.
#include "adapters/transport/connect_steps.hpp"

#include <utility>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/verify_context.hpp>
#include <boost/asio/ssl/verify_mode.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/system/errc.hpp>

namespace tweetup::transport_detail {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = asio::ssl;
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

// Checks the chain (OpenSSL's verdict) and then the host name, and keeps words for the first
// failure. The failure text is shared with the handshake's caller because the callback stays
// installed in the stream after the handshake task has returned.
struct peer_verifier {
  bool operator()(bool preverified, ssl::verify_context& context) const {
    if (!preverified) {
      X509_STORE_CTX* store = context.native_handle();
      *failure = X509_verify_cert_error_string(X509_STORE_CTX_get_error(store));
      return false;
    }
    if (!check(preverified, context)) {
      *failure = "the certificate does not name " + host;
      return false;
    }
    return true;
  }

  ssl::host_name_verification check;
  std::string host;
  std::shared_ptr<std::string> failure;
};

// The resolver has no expiry of its own: a timer cancels it. The handler shares the resolver,
// since it may run after this frame is gone.
async::task<std::pair<error_code, tcp::resolver::results_type>> resolve(
    std::shared_ptr<tcp::resolver> resolver, parsed_url u, clock_type::time_point deadline,
    std::string* error_text) {
  auto guard = std::make_unique<asio::steady_timer>(resolver->get_executor(), deadline);
  guard->async_wait([resolver](error_code e) {
    if (!e) resolver->cancel();
  });
  auto [ec, endpoints] = co_await resolver->async_resolve(u.host, u.port, async::nothrow);
  guard->cancel();
  if (ec) {
    if (clock_type::now() >= deadline) ec = beast::error::timeout;
    co_return std::pair{fail(ec, "resolve " + u.host, error_text), std::move(endpoints)};
  }
  co_return std::pair{error_code{}, std::move(endpoints)};
}

async::task<error_code> connect_tcp(beast::tcp_stream* stream,
                                    tcp::resolver::results_type endpoints, parsed_url u,
                                    clock_type::time_point deadline, std::string* error_text) {
  stream->expires_after(deadline - clock_type::now());
  auto [ec, endpoint] = co_await stream->async_connect(endpoints, async::nothrow);
  stream->expires_never();
  if (ec) co_return fail(ec, "connect to " + u.host + ":" + u.port, error_text);
  // Chat traffic is small request/response exchanges: Nagle's algorithm holding a short write
  // back until the peer's (delayed) ACK would add tens of milliseconds to each of them.
  error_code ignored;
  stream->socket().set_option(tcp::no_delay(true), ignored);
  co_return error_code{};
}

}  // namespace

async::task<error_code> open_plain(std::shared_ptr<tcp::resolver> resolver,
                                   beast::tcp_stream* stream, parsed_url u,
                                   clock_type::time_point deadline, std::string* error_text) {
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
  const auto ec = co_await connect_tcp(stream, std::move(endpoints), u, deadline, error_text);
  co_return ec;
}

async::task<error_code> open_tls(std::shared_ptr<tcp::resolver> resolver, tls_stream* stream,
                                 tls_client_context* tls, parsed_url u,
                                 clock_type::time_point deadline, std::string* error_text) {
  if (tls->load_error()) co_return fail(tls->load_error(), tls->load_error_text(), error_text);
  auto [resolve_ec, endpoints] = co_await resolve(std::move(resolver), u, deadline, error_text);
  if (resolve_ec) co_return resolve_ec;
  const auto connect_ec =
      co_await connect_tcp(&stream->next_layer(), std::move(endpoints), u, deadline, error_text);
  if (connect_ec) co_return connect_ec;

  // SNI carries host names only (RFC 6066 §3), never address literals.
  if (!is_ip_literal(u.host) &&
      !SSL_set_tlsext_host_name(stream->native_handle(), u.host.c_str())) {
    co_return fail(error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()),
                   "set SNI to " + u.host, error_text);
  }
  auto failure = std::make_shared<std::string>();
  if (tls->verify()) {
    stream->set_verify_mode(ssl::verify_peer);
    stream->set_verify_callback(
        peer_verifier{ssl::host_name_verification(u.host), u.host, failure});
  } else {
    stream->set_verify_mode(ssl::verify_none);
  }
  auto& lowest = stream->next_layer();
  lowest.expires_after(deadline - clock_type::now());
  auto [handshake_ec] = co_await stream->async_handshake(ssl::stream_base::client, async::nothrow);
  lowest.expires_never();
  if (handshake_ec) {
    std::string what = "TLS handshake with " + u.host + ":" + u.port;
    if (!failure->empty()) what += " (" + *failure + ")";
    co_return fail(handshake_ec, std::move(what), error_text);
  }
  co_return error_code{};
}

}  // namespace tweetup::transport_detail
