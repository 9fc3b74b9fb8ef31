// websocket_client against an in-test Beast WebSocket server on 127.0.0.1 (ephemeral ports),
// plain and TLS. The TLS certificates are made at test time (support/tls_test_certs), so nothing
// touches the internet or the system trust store. Client and servers share one io_context and one
// thread; nothing sleeps. Coroutines only record what happened; the checks run after run().
#include <doctest/doctest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "adapters/transport/websocket_client.hpp"
#include "async/asio.hpp"
#include "support/tls_test_certs.hpp"

namespace {

using namespace tweetup;
using namespace tweetup::testing;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using std::chrono::steady_clock;

// ---- the in-test server ------------------------------------------------------------------------

struct test_server {
  test_server(asio::io_context& ioc, ssl::context* tls_context)
      : acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), tls(tls_context) {}
  std::string port() const { return std::to_string(acceptor.local_endpoint().port()); }

  tcp::acceptor acceptor;
  ssl::context* tls;  // null: plain ws
  // behaviour
  std::string pick;  // the subprotocol to answer with; empty: none
  bool close_with_4000 = false;
  // what it saw
  std::string origin;
  std::string offered;
  std::string host;
  std::string target;
  bool upgraded = false;
  bool got_binary = false;  // the last message read was binary
  error_code tls_error;
};

struct answer_subprotocol {
  std::string pick;
  void operator()(websocket::response_type& res) const {
    if (!pick.empty()) res.set(http::field::sec_websocket_protocol, pick);
  }
};

template <typename Ws>
async::task<void> serve_websocket(Ws* ws, test_server* server) {
  beast::flat_buffer buffer;
  http::request<http::string_body> request;
  auto [read_ec, read_size] =
      co_await http::async_read(ws->next_layer(), buffer, request, async::nothrow);
  if (read_ec) co_return;
  server->origin = std::string(request[http::field::origin]);
  server->offered = std::string(request[http::field::sec_websocket_protocol]);
  server->host = std::string(request[http::field::host]);
  server->target = std::string(request.target());
  ws->set_option(websocket::stream_base::decorator(answer_subprotocol{server->pick}));
  auto [accept_ec] = co_await ws->async_accept(request, async::nothrow);
  if (accept_ec) co_return;
  server->upgraded = true;
  if (server->close_with_4000) {
    websocket::close_reason why(static_cast<websocket::close_code>(4000), "test says bye");
    co_await ws->async_close(why, async::nothrow);
    co_return;
  }
  for (;;) {
    beast::flat_buffer message;
    auto [ec, size] = co_await ws->async_read(message, async::nothrow);
    if (ec) co_return;
    server->got_binary = ws->got_binary();
    ws->text(ws->got_text());
    auto [write_ec, written] = co_await ws->async_write(message.data(), async::nothrow);
    if (write_ec) co_return;
  }
}

// Serves one connection.
async::task<void> serve(test_server* server) {
  auto [ec, socket] = co_await server->acceptor.async_accept(async::nothrow);
  if (ec) co_return;
  if (server->tls != nullptr) {
    websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(std::move(socket), *server->tls);
    auto [handshake_ec] =
        co_await ws.next_layer().async_handshake(ssl::stream_base::server, async::nothrow);
    if (handshake_ec) {
      server->tls_error = handshake_ec;
      co_return;
    }
    co_await serve_websocket(&ws, server);
  } else {
    websocket::stream<beast::tcp_stream> ws(std::move(socket));
    co_await serve_websocket(&ws, server);
  }
}

// Accepts one connection and never answers: a peer that hangs in the handshake.
async::task<void> accept_and_ignore(tcp::acceptor* acceptor) {
  auto [ec, socket] = co_await acceptor->async_accept(async::nothrow);
  if (ec) co_return;
  std::array<char, 1024> sink{};
  for (;;) {
    auto [read_ec, size] = co_await socket.async_read_some(asio::buffer(sink), async::nothrow);
    if (read_ec) co_return;
  }
}

void rethrow(std::exception_ptr e) {
  if (e) std::rethrow_exception(e);
}

// ---- the client side ---------------------------------------------------------------------------

struct outcome {
  error_code connect_ec;
  error_code write_ec;
  error_code read_ec;
  error_code close_ec;
  std::string echoed;
  std::string chosen;
  std::string connect_error_text;
  std::string error_text;
  std::uint16_t close_code = 0;
  bool open_after_connect = false;
  bool open_at_end = true;
  steady_clock::duration connect_took{};
};

// Connects, sends `message` (as a binary message when `binary`), reads one message back and
// closes with 1000 when that worked.
async::task<void> round_trip(websocket_client* client, std::string url, connect_options o,
                             std::string message, outcome* out, bool binary = false) {
  const auto start = steady_clock::now();
  const auto connect_ec = co_await client->connect(url, o);
  out->connect_took = steady_clock::now() - start;
  out->connect_ec = connect_ec;
  out->connect_error_text = client->last_error_text();
  out->chosen = client->chosen_subprotocol();
  out->open_after_connect = client->is_open();
  if (connect_ec) {
    out->open_at_end = client->is_open();
    co_return;
  }
  client->set_binary(binary);
  const auto write_ec = co_await client->write(message);
  out->write_ec = write_ec;
  auto [read_ec, text] = co_await client->read();
  out->read_ec = read_ec;
  out->echoed = std::move(text);
  out->close_code = client->close_code();
  if (!read_ec) {
    const auto close_ec = co_await client->close(1000, "done");
    out->close_ec = close_ec;
  }
  out->error_text = client->last_error_text();
  out->open_at_end = client->is_open();
}

struct harness {
  asio::io_context ioc;

  // Runs `body` to its end; servers still waiting are dropped with the io_context.
  void run(async::task<void> body) {
    bool finished = false;
    asio::co_spawn(ioc, std::move(body), [this, &finished](std::exception_ptr e) {
      finished = true;
      ioc.stop();
      rethrow(e);
    });
    ioc.run();
    REQUIRE(finished);
  }

  void start(test_server& server) { asio::co_spawn(ioc, serve(&server), rethrow); }
};

tls_options trusting(const certificate_file& file) {
  return tls_options{file.path.string(), true};
}

}  // namespace

TEST_CASE("ws:// echo round trip on loopback") {
  harness h;
  test_server server(h.ioc, nullptr);
  h.start(server);
  websocket_client client(h.ioc.get_executor(), tls_options{});
  outcome out;
  h.run(round_trip(&client, "ws://127.0.0.1:" + server.port() + "/irc?x=1", connect_options{},
                   "PRIVMSG #tweetup :hello", &out));
  CHECK_MESSAGE(!out.connect_ec, out.connect_error_text);
  CHECK(out.open_after_connect);
  CHECK(!out.write_ec);
  CHECK(!out.read_ec);
  CHECK(out.echoed == "PRIVMSG #tweetup :hello");
  CHECK(!out.close_ec);
  CHECK(!out.open_at_end);
  CHECK(server.target == "/irc?x=1");
  CHECK(server.host == "127.0.0.1:" + server.port());
  CHECK(server.offered.empty());
  CHECK(out.chosen.empty());
}

TEST_CASE("wss:// echo with the certificate given as ca_file") {
  harness h;
  auto tls = server_tls(localhost_certificate().pem);
  test_server server(h.ioc, tls.get());
  h.start(server);
  websocket_client client(h.ioc.get_executor(), trusting(localhost_certificate()));
  outcome out;
  std::string sent = "over TLS";
  SUBCASE("by host name (SNI, DNS:localhost)") {
    h.run(round_trip(&client, "wss://localhost:" + server.port() + "/", connect_options{}, sent,
                     &out));
  }
  SUBCASE("by address (IP:127.0.0.1)") {
    h.run(round_trip(&client, "wss://127.0.0.1:" + server.port(), connect_options{}, sent, &out));
    CHECK(server.target == "/");
  }
  SUBCASE("a 100 KB message, its frames over many records both ways") {
    sent.assign(100 * 1024, '\0');
    for (std::size_t i = 0; i < sent.size(); ++i)
      sent[i] = static_cast<char>('a' + i * 7 % 26);
    h.run(round_trip(&client, "wss://localhost:" + server.port() + "/", connect_options{}, sent,
                     &out));
  }
  CHECK_MESSAGE(!out.connect_ec, out.connect_error_text);
  CHECK(!server.tls_error);
  CHECK(!out.write_ec);
  CHECK(!out.read_ec);
  CHECK(out.echoed == sent);
  CHECK(!out.close_ec);
}

TEST_CASE("wss:// trusting a root found in the system's hashed certificate directory") {
  // The system store is read from its c_rehash directory (SSL_CERT_DIR), not from a bundle
  // file: a temporary directory holding only our root under its subject-hash name stands in.
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("tweetup-certdir-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string& pem = localhost_certificate().pem.cert;
  std::unique_ptr<BIO, int (*)(BIO*)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                          &BIO_free);
  std::unique_ptr<X509, void (*)(X509*)> cert(
      PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
  REQUIRE(cert);
  char name[16];
  std::snprintf(name, sizeof name, "%08lx.0", X509_subject_name_hash(cert.get()));
  std::ofstream(dir / name) << pem;
  const char* saved_dir = std::getenv("SSL_CERT_DIR");
  const char* saved_file = std::getenv("SSL_CERT_FILE");
  const std::string old_dir = saved_dir ? saved_dir : "";
  const std::string old_file = saved_file ? saved_file : "";
  ::setenv("SSL_CERT_DIR", dir.c_str(), 1);
  ::unsetenv("SSL_CERT_FILE");

  harness h;
  auto tls = server_tls(localhost_certificate().pem);
  test_server server(h.ioc, tls.get());
  h.start(server);
  websocket_client client(h.ioc.get_executor(), tls_options{});
  outcome out;
  h.run(round_trip(&client, "wss://localhost:" + server.port() + "/", connect_options{}, "dir",
                   &out));
  CHECK_MESSAGE(!out.connect_ec, out.connect_error_text);
  CHECK(out.echoed == "dir");

  if (saved_dir)
    ::setenv("SSL_CERT_DIR", old_dir.c_str(), 1);
  else
    ::unsetenv("SSL_CERT_DIR");
  if (saved_file) ::setenv("SSL_CERT_FILE", old_file.c_str(), 1);
  fs::remove_all(dir);
}

TEST_CASE("wss:// without ca_file fails certificate verification") {
  harness h;
  auto tls = server_tls(localhost_certificate().pem);
  test_server server(h.ioc, tls.get());
  h.start(server);
  websocket_client client(h.ioc.get_executor(), tls_options{});
  outcome out;
  h.run(
      round_trip(&client, "wss://localhost:" + server.port() + "/", connect_options{}, "x", &out));
  REQUIRE(out.connect_ec);
  CHECK(out.connect_ec.category() == asio::error::get_ssl_category());
  CHECK(ERR_GET_REASON(static_cast<unsigned long>(out.connect_ec.value())) ==
        SSL_R_CERTIFICATE_VERIFY_FAILED);
  CHECK_MESSAGE(out.connect_error_text.find("self-signed") != std::string::npos,
                out.connect_error_text);
  CHECK(!out.open_at_end);
  CHECK(!server.upgraded);
}

TEST_CASE("wss:// to a trusted certificate for another host name fails") {
  harness h;
  auto tls = server_tls(other_host_certificate().pem);
  test_server server(h.ioc, tls.get());
  h.start(server);
  websocket_client client(h.ioc.get_executor(), trusting(other_host_certificate()));
  outcome out;
  h.run(
      round_trip(&client, "wss://127.0.0.1:" + server.port() + "/", connect_options{}, "x", &out));
  REQUIRE(out.connect_ec);
  CHECK(out.connect_ec.category() == asio::error::get_ssl_category());
  CHECK(ERR_GET_REASON(static_cast<unsigned long>(out.connect_ec.value())) ==
        SSL_R_CERTIFICATE_VERIFY_FAILED);
  CHECK_MESSAGE(out.connect_error_text.find("does not name 127.0.0.1") != std::string::npos,
                out.connect_error_text);
  CHECK(!server.upgraded);
}

TEST_CASE("subprotocol negotiation and the Origin header") {
  harness h;
  test_server server(h.ioc, nullptr);
  h.start(server);
  websocket_client client(h.ioc.get_executor(), tls_options{});
  connect_options o;
  o.subprotocols = {"text.ircv3.net", "binary.ircv3.net"};
  o.origin = "http://localhost";
  outcome out;
  SUBCASE("server picks text.ircv3.net") {
    server.pick = "text.ircv3.net";
    h.run(round_trip(&client, "ws://localhost:" + server.port() + "/", o, "CAP LS 302", &out));
    CHECK(out.chosen == "text.ircv3.net");
    CHECK_FALSE(server.got_binary);
  }
  SUBCASE("server picks binary.ircv3.net: the client may send binary messages") {
    server.pick = "binary.ircv3.net";
    h.run(
        round_trip(&client, "ws://localhost:" + server.port() + "/", o, "CAP LS 302", &out, true));
    CHECK(out.chosen == "binary.ircv3.net");
    CHECK(server.got_binary);
  }
  SUBCASE("server picks none (InspIRCd 3.15): still connected") {
    h.run(round_trip(&client, "ws://localhost:" + server.port() + "/", o, "CAP LS 302", &out));
    CHECK(out.chosen.empty());
    CHECK(out.open_after_connect);
  }
  SUBCASE("server picks one that was not offered: refused") {
    server.pick = "xmpp";
    h.run(round_trip(&client, "ws://localhost:" + server.port() + "/", o, "CAP LS 302", &out));
    CHECK(out.connect_ec == boost::system::errc::protocol_error);
    CHECK(!out.open_at_end);
  }
  if (server.pick != "xmpp") {
    CHECK_MESSAGE(!out.connect_ec, out.connect_error_text);
    CHECK(out.echoed == "CAP LS 302");
  }
  CHECK(server.offered == "text.ircv3.net, binary.ircv3.net");
  CHECK(server.origin == "http://localhost");
}

TEST_CASE("a 100 KB message round trip, and the max message size") {
  harness h;
  test_server server(h.ioc, nullptr);
  h.start(server);
  websocket_client client(h.ioc.get_executor(), tls_options{});
  std::string big(100 * 1024, '\0');
  for (std::size_t i = 0; i < big.size(); ++i)
    big[i] = static_cast<char>('a' + i % 26);
  outcome out;
  SUBCASE("within the default 1 MiB") {
    h.run(
        round_trip(&client, "ws://127.0.0.1:" + server.port() + "/", connect_options{}, big, &out));
    CHECK(!out.read_ec);
    CHECK(out.echoed == big);
  }
  SUBCASE("over a 64 KiB limit") {
    connect_options o;
    o.max_message_size = 64 * 1024;
    h.run(round_trip(&client, "ws://127.0.0.1:" + server.port() + "/", o, big, &out));
    CHECK(out.read_ec == websocket::error::message_too_big);
    CHECK(out.echoed.empty());
  }
  CHECK(!out.connect_ec);
  CHECK(!out.write_ec);
}

// reuse() hands read()'s storage back; the next message must be exactly the next message, not
// what is left of the longer one before it. `storage` gets where each message's text lay, and
// the last message comes after a room too big to keep was handed back.
async::task<void> reused_reads(websocket_client* client, std::string url,
                               std::vector<std::string>* got, std::vector<const void*>* storage,
                               std::size_t* last_capacity) {
  const connect_options o;
  const auto connect_ec = co_await client->connect(url, o);
  if (connect_ec) co_return;
  const std::vector<std::string> messages{std::string(300, 'x'), "hi", "", "after"};
  for (std::size_t i = 0; i < messages.size(); ++i) {
    if (i + 1 == messages.size()) {
      std::string huge;
      huge.reserve(websocket_client::max_reused_bytes + 1);
      client->reuse(std::move(huge));
    }
    const auto write_ec = co_await client->write(messages[i]);
    if (write_ec) co_return;
    auto read = co_await client->read();
    if (read.first) co_return;
    got->push_back(read.second);
    storage->push_back(read.second.data());
    *last_capacity = read.second.capacity();
    client->reuse(std::move(read.second));
  }
  const auto close_ec = co_await client->close(1000, "done");
  (void)close_ec;
}

TEST_CASE("a message read into storage handed back by reuse()") {
  harness h;
  test_server server(h.ioc, nullptr);
  h.start(server);
  websocket_client client(h.ioc.get_executor(), tls_options{});
  std::vector<std::string> got;
  std::vector<const void*> storage;
  std::size_t last_capacity = 0;
  h.run(reused_reads(&client, "ws://127.0.0.1:" + server.port() + "/", &got, &storage,
                     &last_capacity));
  REQUIRE(got.size() == 4);
  CHECK(got[0] == std::string(300, 'x'));
  CHECK(got[1] == "hi");
  CHECK(got[2].empty());
  CHECK(got[3] == "after");
  // "hi" lies in the first message's storage (on its own it would fit in the string itself);
  // the big room handed back last was let go.
  CHECK(storage[1] == storage[0]);
  CHECK(last_capacity <= websocket_client::max_reused_bytes);
}

TEST_CASE("the server closes with 4000: read fails and the code is observable") {
  harness h;
  test_server server(h.ioc, nullptr);
  server.close_with_4000 = true;
  h.start(server);
  websocket_client client(h.ioc.get_executor(), tls_options{});
  outcome out;
  h.run(
      round_trip(&client, "ws://127.0.0.1:" + server.port() + "/", connect_options{}, "hi", &out));
  CHECK(!out.connect_ec);
  CHECK(out.read_ec == websocket::error::closed);
  CHECK(out.close_code == 4000);
  CHECK_MESSAGE(out.error_text.find("4000") != std::string::npos, out.error_text);
  CHECK(!out.open_at_end);
}

TEST_CASE("plain ws:// to a host that is not loopback is refused without network traffic") {
  harness h;
  websocket_client client(h.ioc.get_executor(), tls_options{});
  outcome out;
  std::string url;
  SUBCASE("a host name (no DNS lookup)") {
    url = "ws://example.invalid/";
  }
  SUBCASE("an address") {
    url = "ws://10.0.0.1:8080/";
  }
  SUBCASE("a v6 address") {
    url = "ws://[2001:db8::1]/";
  }
  h.run(round_trip(&client, url, connect_options{}, "x", &out));
  CHECK(out.connect_ec == boost::system::errc::permission_denied);
  CHECK(out.connect_took < std::chrono::milliseconds(50));
  CHECK_MESSAGE(out.connect_error_text.find("not loopback") != std::string::npos,
                out.connect_error_text);
  CHECK(!out.open_at_end);
}

TEST_CASE("malformed URLs are refused") {
  harness h;
  websocket_client client(h.ioc.get_executor(), tls_options{});
  outcome out;
  std::string url;
  SUBCASE("scheme") {
    url = "https://127.0.0.1/";
  }
  SUBCASE("no host") {
    url = "ws:///x";
  }
  SUBCASE("port") {
    url = "ws://127.0.0.1:99999/";
  }
  SUBCASE("credentials") {
    url = "wss://user:pw@example.com/";
  }
  h.run(round_trip(&client, url, connect_options{}, "x", &out));
  CHECK(out.connect_ec == boost::system::errc::invalid_argument);
}

TEST_CASE("a server that never answers the handshake times out within the budget") {
  harness h;
  tcp::acceptor silent(h.ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  asio::co_spawn(h.ioc, accept_and_ignore(&silent), rethrow);
  websocket_client client(h.ioc.get_executor(), tls_options{});
  connect_options o;
  o.timeout = std::chrono::seconds(1);
  outcome out;
  const std::string port = std::to_string(silent.local_endpoint().port());
  SUBCASE("ws://") {
    h.run(round_trip(&client, "ws://127.0.0.1:" + port + "/", o, "x", &out));
  }
  SUBCASE("wss:// (hangs in the TLS handshake)") {
    h.run(round_trip(&client, "wss://127.0.0.1:" + port + "/", o, "x", &out));
  }
  CHECK(out.connect_ec == beast::error::timeout);
  CHECK(out.connect_took >= std::chrono::milliseconds(900));
  CHECK(out.connect_took < std::chrono::milliseconds(1500));
  CHECK(!out.open_at_end);
}
