// The one translation unit of the transport that includes Beast (about 25 s and 1 GB to compile),
// hence the pimpl in the header.
#include "adapters/transport/websocket_client.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string_view>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/system/errc.hpp>

namespace tweetup {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using clock_type = std::chrono::steady_clock;

using plain_ws = websocket::stream<beast::tcp_stream>;
using secure_ws = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

error_code errc_code(boost::system::errc::errc_t e) {
  return boost::system::errc::make_error_code(e);
}

struct parsed_url {
  bool secure = false;
  std::string host;  // lower case, without the brackets of an IPv6 literal
  std::string port;
  std::string target;  // path and query, at least "/"
  bool default_port = true;
};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool is_ip_literal(const std::string& host) {
  error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

std::optional<parsed_url> parse_url(const std::string& url) {
  const auto sep = url.find("://");
  if (sep == std::string::npos) return std::nullopt;
  parsed_url u;
  const std::string scheme = lower(url.substr(0, sep));
  if (scheme == "wss") {
    u.secure = true;
  } else if (scheme != "ws") {
    return std::nullopt;
  }
  std::string rest = url.substr(sep + 3);
  if (const auto hash = rest.find('#'); hash != std::string::npos) rest.resize(hash);
  const auto path_start = rest.find_first_of("/?");
  const std::string authority = rest.substr(0, path_start);
  u.target = path_start == std::string::npos ? "/" : rest.substr(path_start);
  if (u.target.front() == '?') u.target.insert(0, "/");
  // Credentials in the URL would be sent nowhere and are a sign of a mistake.
  if (authority.empty() || authority.find('@') != std::string::npos) return std::nullopt;
  std::string port;
  if (authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string::npos) return std::nullopt;
    u.host = authority.substr(1, close - 1);
    const std::string after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port = after.substr(1);
      if (port.empty()) return std::nullopt;
    }
  } else {
    const auto colon = authority.rfind(':');
    u.host = authority.substr(0, colon);
    if (colon != std::string::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return std::nullopt;
    }
  }
  if (u.host.empty()) return std::nullopt;
  u.host = lower(u.host);
  if (port.empty()) {
    u.port = u.secure ? "443" : "80";
  } else {
    if (port.size() > 5 || !std::all_of(port.begin(), port.end(),
                                        [](unsigned char c) { return std::isdigit(c) != 0; })) {
      return std::nullopt;
    }
    const int number = std::stoi(port);
    if (number < 1 || number > 65535) return std::nullopt;
    u.port = std::to_string(number);
    u.default_port = u.port == (u.secure ? "443" : "80");
  }
  return u;
}

// Plain ws:// is tolerated only where nobody else can read or alter the bytes.
bool is_loopback_host(const std::string& host) {
  if (host == "localhost" || host == "localhost.") return true;
  error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  return !ec && address.is_loopback();
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
  impl(async::executor e, tls_options t) : ex(std::move(e)), tls(std::move(t)) {
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                    ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    error_code ec;
    ctx.set_default_verify_paths(ec);
    if (ec) {
      ctx_error = ec;
      ctx_error_text = "cannot load the system trust store: " + ec.message();
      return;
    }
    if (!tls.ca_file.empty()) {
      ctx.load_verify_file(tls.ca_file, ec);
      if (ec) {
        ctx_error = ec;
        ctx_error_text = "cannot load ca_file " + tls.ca_file + ": " + ec.message();
      }
    }
  }

  error_code fail(error_code ec, std::string what) {
    error_text = std::move(what);
    if (ec) error_text += ": " + ec.message();
    return ec;
  }

  void reset() {
    plain.reset();
    secure.reset();
    buffer.clear();
  }

  async::task<error_code> connect(std::string url, connect_options o) {
    reset();
    chosen.clear();
    close_code = 0;
    error_text.clear();
    verify_failure.clear();
    const auto deadline = clock_type::now() + o.timeout;

    const auto parsed = parse_url(url);
    if (!parsed) {
      co_return fail(errc_code(boost::system::errc::invalid_argument),
                     "not a ws:// or wss:// URL: \"" + url + "\"");
    }
    const parsed_url u = *parsed;
    if (!u.secure && !is_loopback_host(u.host)) {
      co_return fail(errc_code(boost::system::errc::permission_denied),
                     "refused plain ws:// to " + u.host +
                         ", which is not loopback (127.0.0.0/8, ::1, localhost); use wss://");
    }
    if (u.secure && ctx_error) co_return fail(ctx_error, ctx_error_text);

    // The resolver has no expiry of its own: a timer cancels it. Both share ownership with the
    // timer's handler, which may run after this frame is gone.
    auto resolver = std::make_shared<tcp::resolver>(ex);
    auto guard = std::make_shared<asio::steady_timer>(ex, o.timeout);
    guard->async_wait([resolver](error_code e) {
      if (!e) resolver->cancel();
    });
    auto [resolve_ec, endpoints] = co_await resolver->async_resolve(u.host, u.port, async::nothrow);
    guard->cancel();
    if (resolve_ec) {
      if (clock_type::now() >= deadline) resolve_ec = beast::error::timeout;
      co_return fail(resolve_ec, "resolve " + u.host);
    }
    if (!u.secure) {
      // "localhost" comes from the resolver, so check what it gave, too.
      for (const auto& entry : endpoints) {
        if (!entry.endpoint().address().is_loopback()) {
          co_return fail(errc_code(boost::system::errc::permission_denied),
                         "refused plain ws:// to " + u.host + ", which resolves to " +
                             entry.endpoint().address().to_string() + ", not loopback");
        }
      }
    }

    std::string host_header = u.host.find(':') != std::string::npos ? "[" + u.host + "]" : u.host;
    if (!u.default_port) host_header += ":" + u.port;

    if (u.secure) {
      secure.emplace(ex, ctx);
      const auto tls_ec = co_await open_tls(&*secure, u, endpoints, deadline);
      if (tls_ec) {
        reset();
        co_return tls_ec;
      }
      const auto ws_ec = co_await handshake(&*secure, host_header, u.target, o, deadline);
      if (ws_ec) reset();
      co_return ws_ec;
    }
    plain.emplace(ex);
    auto& lowest = beast::get_lowest_layer(*plain);
    lowest.expires_after(deadline - clock_type::now());
    auto [connect_ec, endpoint] = co_await lowest.async_connect(endpoints, async::nothrow);
    lowest.expires_never();
    if (connect_ec) {
      reset();
      co_return fail(connect_ec, "connect to " + u.host + ":" + u.port);
    }
    auto ec = co_await handshake(&*plain, host_header, u.target, o, deadline);
    if (ec) reset();
    co_return ec;
  }

  // TCP connect and TLS handshake, both under tcp_stream's expiry. `ws` is owned by this impl.
  async::task<error_code> open_tls(secure_ws* ws, parsed_url u,
                                   tcp::resolver::results_type endpoints,
                                   clock_type::time_point deadline) {
    auto& tls_stream = ws->next_layer();
    auto& lowest = beast::get_lowest_layer(*ws);
    lowest.expires_after(deadline - clock_type::now());
    auto [connect_ec, endpoint] = co_await lowest.async_connect(endpoints, async::nothrow);
    if (connect_ec) {
      lowest.expires_never();
      co_return fail(connect_ec, "connect to " + u.host + ":" + u.port);
    }
    // SNI carries host names only (RFC 6066 §3), never address literals.
    if (!is_ip_literal(u.host) &&
        !SSL_set_tlsext_host_name(tls_stream.native_handle(), u.host.c_str())) {
      lowest.expires_never();
      co_return fail(
          error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()),
          "set SNI to " + u.host);
    }
    if (tls.verify) {
      tls_stream.set_verify_mode(ssl::verify_peer);
      tls_stream.set_verify_callback([this, check = ssl::host_name_verification(u.host),
                                      host = u.host](bool preverified, ssl::verify_context& vctx) {
        if (!preverified) {
          X509_STORE_CTX* store = vctx.native_handle();
          verify_failure = X509_verify_cert_error_string(X509_STORE_CTX_get_error(store));
          return false;
        }
        if (!check(preverified, vctx)) {
          verify_failure = "the certificate does not name " + host;
          return false;
        }
        return true;
      });
    } else {
      tls_stream.set_verify_mode(ssl::verify_none);
    }
    auto [handshake_ec] =
        co_await tls_stream.async_handshake(ssl::stream_base::client, async::nothrow);
    lowest.expires_never();
    if (handshake_ec) {
      std::string what = "TLS handshake with " + u.host + ":" + u.port;
      if (!verify_failure.empty()) what += " (" + verify_failure + ")";
      co_return fail(handshake_ec, std::move(what));
    }
    co_return error_code{};
  }

  // The WebSocket upgrade, under Beast's own handshake timeout. `ws` is owned by this impl.
  template <typename Ws>
  async::task<error_code> handshake(Ws* ws, std::string host_header, std::string target,
                                    connect_options o, clock_type::time_point deadline) {
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

  template <typename Ws>
  async::task<std::pair<error_code, std::string>> read_on(Ws* ws) {
    buffer.clear();
    auto [ec, size] = co_await ws->async_read(buffer, async::nothrow);
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
      co_return std::pair{fail(ec, std::move(what)), std::string{}};
    }
    std::string message = beast::buffers_to_string(buffer.data());
    buffer.consume(size);
    co_return std::pair{error_code{}, std::move(message)};
  }

  template <typename Ws>
  async::task<error_code> write_on(Ws* ws, std::string text) {
    auto [ec, size] = co_await ws->async_write(asio::buffer(text), async::nothrow);
    if (ec) co_return fail(ec, "write");
    co_return error_code{};
  }

  template <typename Ws>
  async::task<error_code> close_on(Ws* ws, std::uint16_t code, std::string reason) {
    // A close frame carries at most 123 bytes of reason (RFC 6455 §5.5).
    if (reason.size() > 123) reason.resize(123);
    websocket::close_reason why(code);
    why.reason.assign(reason.data(), reason.size());
    auto [ec] = co_await ws->async_close(why, async::nothrow);
    if (ec) co_return fail(ec, "close");
    co_return error_code{};
  }

  async::executor ex;
  tls_options tls;
  ssl::context ctx{ssl::context::tls_client};
  error_code ctx_error;
  std::string ctx_error_text;
  std::optional<plain_ws> plain;
  std::optional<secure_ws> secure;
  beast::flat_buffer buffer;
  std::string chosen;
  std::uint16_t close_code = 0;
  std::string error_text;
  std::string verify_failure;
};

websocket_client::websocket_client(async::executor ex, tls_options tls)
    : impl_(std::make_unique<impl>(std::move(ex), std::move(tls))) {}

websocket_client::~websocket_client() = default;

async::task<boost::system::error_code> websocket_client::connect(std::string url,
                                                                 connect_options o) {
  auto ec = co_await impl_->connect(std::move(url), std::move(o));
  co_return ec;
}

async::task<std::pair<boost::system::error_code, std::string>> websocket_client::read() {
  if (impl_->secure) {
    auto result = co_await impl_->read_on(&*impl_->secure);
    co_return result;
  }
  if (impl_->plain) {
    auto result = co_await impl_->read_on(&*impl_->plain);
    co_return result;
  }
  co_return std::pair{impl_->fail(asio::error::not_connected, "read"), std::string{}};
}

async::task<boost::system::error_code> websocket_client::write(std::string text) {
  if (impl_->secure) {
    auto ec = co_await impl_->write_on(&*impl_->secure, std::move(text));
    co_return ec;
  }
  if (impl_->plain) {
    auto ec = co_await impl_->write_on(&*impl_->plain, std::move(text));
    co_return ec;
  }
  co_return impl_->fail(asio::error::not_connected, "write");
}

async::task<boost::system::error_code> websocket_client::close(std::uint16_t code,
                                                               std::string reason) {
  if (impl_->secure) {
    auto ec = co_await impl_->close_on(&*impl_->secure, code, std::move(reason));
    co_return ec;
  }
  if (impl_->plain) {
    auto ec = co_await impl_->close_on(&*impl_->plain, code, std::move(reason));
    co_return ec;
  }
  co_return impl_->fail(asio::error::not_connected, "close");
}

bool websocket_client::is_open() const {
  if (impl_->secure) return impl_->secure->is_open();
  if (impl_->plain) return impl_->plain->is_open();
  return false;
}

const std::string& websocket_client::chosen_subprotocol() const {
  return impl_->chosen;
}

std::uint16_t websocket_client::close_code() const {
  return impl_->close_code;
}

const std::string& websocket_client::last_error_text() const {
  return impl_->error_text;
}

}  // namespace tweetup
