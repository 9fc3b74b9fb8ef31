// tls_session, and net_stream's TLS operations, against an OpenSSL server on the other end of
// a socket pair, both non-blocking, in one thread: the handshakes are stepped by hand, and
// net_stream's operations run on an io_context only once the server has written what they
// read. No network, nothing waits. The server presents a certificate made at test time
// (support/tls_test_certs).
#include "adapters/transport/tls_session.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <memory>
#include <string>
#include <vector>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/error.hpp>

#include "adapters/transport/net_stream.hpp"
#include "adapters/transport/tls_client_context.hpp"
#include "support/tls_test_certs.hpp"

namespace {

using tweetup::tls_options;
using tweetup::testing::localhost_certificate;
using tweetup::testing::server_tls;
using tweetup::transport_detail::net_stream;
using tweetup::transport_detail::tls_client_context;
using tweetup::transport_detail::tls_session;
using want = tls_session::want;

tls_options trusting_localhost() {
  return tls_options{localhost_certificate().path.string(), true};
}

// The client's session is its own, or that of `over`, a net_stream given the client's socket.
struct session_pair {
  explicit session_pair(tls_options client_options = trusting_localhost(),
                        net_stream* over = nullptr)
      : client_context(std::move(client_options)) {
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    for (const int fd : fds)
      REQUIRE(::fcntl(fd, F_SETFL, O_NONBLOCK) == 0);
    SSL_CTX* context = client_context.native().native_handle();
    if (over != nullptr) {
      // Asio takes any stream socket; the protocol tag only says how to name addresses.
      over->socket().assign(boost::asio::ip::tcp::v4(), fds[0]);
      fds[0] = -1;  // the stream's now
      REQUIRE_FALSE(over->start_tls(context));
      client = over->tls();
    } else {
      own_client = std::make_unique<tls_session>(context, fds[0]);
      client = own_client.get();
    }
    REQUIRE_FALSE(client->error());
    server = SSL_new(server_context->native_handle());
    REQUIRE(server != nullptr);
    SSL_set_fd(server, fds[1]);
  }
  ~session_pair() {
    own_client.reset();
    SSL_free(server);
    for (const int fd : fds)
      if (fd >= 0) ::close(fd);
  }
  session_pair(const session_pair&) = delete;
  session_pair& operator=(const session_pair&) = delete;

  // Steps both handshakes in turn until the client's ends; the server's result is kept.
  tls_session::step shake() {
    tls_session::step c{want::read, 0, {}};
    for (int turn = 0; turn < 100 && c.next != want::nothing; ++turn) {
      c = client->handshake();
      if (!server_done) {
        const int r = SSL_accept(server);
        server_done = r == 1;
      }
    }
    // The server's last flight may still be unread by it (TLS 1.3: the client's Finished).
    for (int turn = 0; turn < 10 && !server_done && !c.ec; ++turn)
      server_done = SSL_accept(server) == 1;
    ERR_clear_error();
    return c;
  }

  void close_server_socket() {
    ::close(fds[1]);
    fds[1] = -1;
  }

  int fds[2] = {-1, -1};
  std::unique_ptr<boost::asio::ssl::context> server_context =
      server_tls(localhost_certificate().pem);
  tls_client_context client_context;
  std::unique_ptr<tls_session> own_client;
  tls_session* client = nullptr;
  SSL* server = nullptr;
  bool server_done = false;
};

// A net_stream on the client's end of a session_pair, the handshakes done.
struct stream_pair {
  stream_pair() {
    REQUIRE_FALSE(p.client->expect_peer("localhost", true));
    REQUIRE_FALSE(p.shake().ec);
  }
  boost::asio::io_context ioc;
  net_stream stream{ioc.get_executor()};
  session_pair p{trusting_localhost(), &stream};
};

std::string server_name_of(SSL* server) {
  const char* name = SSL_get_servername(server, TLSEXT_NAMETYPE_host_name);
  return name != nullptr ? name : "";
}

}  // namespace

TEST_CASE("tls_session: handshake with SNI, then records both ways") {
  session_pair p;
  REQUIRE_FALSE(p.client->expect_peer("localhost", true));
  const auto shaken = p.shake();
  REQUIRE_MESSAGE(!shaken.ec, shaken.ec.message());
  REQUIRE(p.server_done);
  CHECK(p.client->verify_failure().empty());
  CHECK(server_name_of(p.server) == "localhost");

  const std::string hello = "GET / HTTP/1.1\r\n\r\n";
  const auto wrote = p.client->write(hello.data(), hello.size());
  REQUIRE(!wrote.ec);
  CHECK(wrote.next == want::nothing);
  CHECK(wrote.bytes == hello.size());
  char got[64] = {};
  std::size_t got_size = 0;
  REQUIRE(SSL_read_ex(p.server, got, sizeof got, &got_size) == 1);
  CHECK(std::string(got, got_size) == hello);

  // Nothing sent yet: the client is told to wait for the socket, without an error.
  char room[4096];
  const auto nothing_yet = p.client->read(room, sizeof room);
  CHECK(nothing_yet.next == want::read);
  CHECK_FALSE(nothing_yet.ec);
}

TEST_CASE("tls_session: a burst of records is read whole, across its receive buffer") {
  session_pair p;
  REQUIRE_FALSE(p.client->expect_peer("localhost", true));
  REQUIRE_FALSE(p.shake().ec);
  // 40 records of 1,000 bytes: more than one receive buffer (input_room) holds, so records
  // straddle its refills.
  std::string sent;
  for (int i = 0; i < 40; ++i) {
    const std::string record(1000, static_cast<char>('a' + i % 26));
    std::size_t written = 0;
    REQUIRE(SSL_write_ex(p.server, record.data(), record.size(), &written) == 1);
    sent += record;
  }
  REQUIRE(sent.size() > tls_session::input_room * 2);
  std::string received;
  char room[1500];
  for (int reads = 0; reads < 1000 && received.size() < sent.size(); ++reads) {
    const auto step = p.client->read(room, sizeof room);
    REQUIRE_MESSAGE(!step.ec, step.ec.message());
    // Everything has arrived: the client never has to wait for the socket.
    REQUIRE(step.next == want::nothing);
    received.append(room, step.bytes);
  }
  CHECK(received == sent);
  CHECK(p.client->read(room, sizeof room).next == want::read);
}

TEST_CASE("tls_session: records longer than its receive buffer, among short ones") {
  session_pair p;
  REQUIRE_FALSE(p.client->expect_peer("localhost", true));
  REQUIRE_FALSE(p.shake().ec);
  // The largest record TLS allows, then some that end inside the buffer, on its edge, or past
  // it: the rest of each long one is read into OpenSSL's buffer directly.
  std::string sent;
  for (const std::size_t size :
       {std::size_t{16384}, std::size_t{10}, tls_session::input_room, tls_session::input_room - 20,
        std::size_t{7}, std::size_t{9000}, std::size_t{16384}, std::size_t{3}}) {
    const std::string record(size, static_cast<char>('a' + sent.size() % 26));
    std::size_t written = 0;
    REQUIRE(SSL_write_ex(p.server, record.data(), record.size(), &written) == 1);
    sent += record;
  }
  std::string received;
  std::array<char, 20000> room{};
  for (int reads = 0; reads < 100 && received.size() < sent.size(); ++reads) {
    const auto step = p.client->read(room.data(), room.size());
    REQUIRE_MESSAGE(!step.ec, step.ec.message());
    REQUIRE(step.next == want::nothing);
    received.append(room.data(), step.bytes);
  }
  CHECK(received == sent);
  CHECK(p.client->read(room.data(), room.size()).next == want::read);
}

TEST_CASE("tls_session: a long write goes out in records of 4 KiB") {
  // The session caps its records (and so its write buffer) at 4 KiB; a write returns after
  // each record, as write_some may, and the rest follows.
  session_pair p;
  REQUIRE_FALSE(p.client->expect_peer("localhost", true));
  REQUIRE_FALSE(p.shake().ec);
  std::string body(10000, 'x');
  for (std::size_t i = 0; i < body.size(); ++i)
    body[i] = static_cast<char>('a' + i % 26);
  std::size_t done = 0;
  std::vector<std::size_t> writes;
  while (done < body.size()) {
    const auto step = p.client->write(body.data() + done, body.size() - done);
    REQUIRE_MESSAGE(!step.ec, step.ec.message());
    REQUIRE(step.next == want::nothing);
    writes.push_back(step.bytes);
    done += step.bytes;
  }
  static_assert(tls_session::max_record == 4096);
  CHECK(writes == std::vector<std::size_t>{4096, 4096, 1808});
  std::string received;
  std::array<char, 16384> room{};
  for (int reads = 0; reads < 10 && received.size() < body.size(); ++reads) {
    std::size_t got = 0;
    REQUIRE(SSL_read_ex(p.server, room.data(), room.size(), &got) == 1);
    CHECK(got <= 4096);  // one record per read
    received.append(room.data(), got);
  }
  CHECK(received == body);
}

TEST_CASE("tls_session: how the connection ended") {
  session_pair p;
  REQUIRE_FALSE(p.client->expect_peer("localhost", true));
  REQUIRE_FALSE(p.shake().ec);
  char room[256];
  SUBCASE("the peer's close_notify is the end of the stream") {
    SSL_shutdown(p.server);
    const auto step = p.client->read(room, sizeof room);
    CHECK(step.next == want::nothing);
    CHECK(step.ec == boost::asio::error::eof);
  }
  SUBCASE("a connection cut without close_notify is a truncation") {
    p.close_server_socket();
    const auto step = p.client->read(room, sizeof room);
    CHECK(step.next == want::nothing);
    CHECK(step.ec == boost::asio::ssl::error::stream_truncated);
  }
  SUBCASE("writing to a peer that has gone fails with an error, not SIGPIPE") {
    p.close_server_socket();
    // With SIGPIPE's default action a write that raised it would end this test process.
    const auto previous = std::signal(SIGPIPE, SIG_DFL);
    const std::string text(100, 'x');
    const auto step = p.client->write(text.data(), text.size());
    std::signal(SIGPIPE, previous);
    CHECK(step.next == want::nothing);
    CHECK(step.ec == boost::asio::error::broken_pipe);
  }
}

TEST_CASE("tls_session: the peer's certificate, its names and its trust") {
  SUBCASE("an address literal is checked against the certificate's IP names, without SNI") {
    session_pair p;
    REQUIRE_FALSE(p.client->expect_peer("127.0.0.1", true));
    const auto shaken = p.shake();
    CHECK_MESSAGE(!shaken.ec, shaken.ec.message());
    CHECK(server_name_of(p.server).empty());
  }
  SUBCASE("a host name the certificate does not name is refused, in words") {
    session_pair p;
    REQUIRE_FALSE(p.client->expect_peer("wrong.example", true));
    const auto shaken = p.shake();
    REQUIRE(shaken.ec);
    CHECK(shaken.ec.category() == boost::asio::error::get_ssl_category());
    CHECK(ERR_GET_REASON(static_cast<unsigned long>(shaken.ec.value())) ==
          SSL_R_CERTIFICATE_VERIFY_FAILED);
    CHECK(p.client->verify_failure() == "the certificate does not name wrong.example");
  }
  SUBCASE("an address the certificate does not name is refused") {
    session_pair p;
    REQUIRE_FALSE(p.client->expect_peer("127.0.0.2", true));
    REQUIRE(p.shake().ec);
    CHECK(p.client->verify_failure() == "the certificate does not name 127.0.0.2");
  }
  SUBCASE("a certificate no trusted root signed is refused") {
    session_pair p(tls_options{});
    REQUIRE_FALSE(p.client->expect_peer("localhost", true));
    REQUIRE(p.shake().ec);
    CHECK_MESSAGE(p.client->verify_failure().find("self-signed") != std::string::npos,
                  p.client->verify_failure());
  }
  SUBCASE("with verification off, the same certificate is taken") {
    session_pair p(tls_options{"", false});
    REQUIRE_FALSE(p.client->expect_peer("localhost", false));
    const auto shaken = p.shake();
    CHECK_MESSAGE(!shaken.ec, shaken.ec.message());
  }
}

TEST_CASE("net_stream: TLS reads and writes complete through the io_context, never inline") {
  stream_pair s;
  auto& stream = s.stream;
  auto& p = s.p;

  // A read that must wait for the socket, and a write that finishes at once: neither handler
  // runs inside its initiating call.
  char room[64];
  boost::system::error_code read_ec = boost::asio::error::would_block;
  std::size_t read_size = 0;
  stream.async_read_some(boost::asio::buffer(room),
                         [&](boost::system::error_code ec, std::size_t n) {
                           read_ec = ec;
                           read_size = n;
                         });
  const std::string head = "head;";
  const std::string body = "body";
  const std::array<boost::asio::const_buffer, 2> parts{boost::asio::buffer(head),
                                                       boost::asio::buffer(body)};
  boost::system::error_code write_ec = boost::asio::error::would_block;
  std::size_t written = 0;
  stream.async_write_some(parts, [&](boost::system::error_code ec, std::size_t n) {
    write_ec = ec;
    written = n;
  });
  CHECK(read_ec == boost::asio::error::would_block);
  CHECK(write_ec == boost::asio::error::would_block);

  std::size_t got = 0;
  char at_server[64];
  REQUIRE(SSL_read_ex(p.server, at_server, sizeof at_server, &got) == 1);
  // Head and body in one record.
  CHECK(std::string(at_server, got) == head + body);
  std::size_t sent = 0;
  REQUIRE(SSL_write_ex(p.server, "pong", 4, &sent) == 1);
  s.ioc.run();
  CHECK_FALSE(write_ec);
  CHECK(written == head.size() + body.size());
  CHECK_FALSE(read_ec);
  CHECK(std::string(room, read_size) == "pong");
}

TEST_CASE("net_stream: once its socket is closed, TLS touches no descriptor opened since") {
  stream_pair s;
  auto& stream = s.stream;
  const int number = stream.socket().native_handle();
  stream.socket().close();
  // The lowest free number goes to the next descriptor opened: the one just closed.
  int other[2] = {-1, -1};
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, other) == 0);
  REQUIRE((other[0] == number || other[1] == number));
  const int far_end = other[0] == number ? other[1] : other[0];

  boost::system::error_code write_ec;
  std::size_t written = 99;
  stream.async_write_some(boost::asio::buffer("hello", 5),
                          [&](boost::system::error_code ec, std::size_t n) {
                            write_ec = ec;
                            written = n;
                          });
  s.ioc.run();
  CHECK(write_ec == boost::asio::error::bad_descriptor);
  CHECK(written == 0);
  char leaked[16];
  CHECK(::recv(far_end, leaked, sizeof leaked, MSG_DONTWAIT) == -1);
  CHECK(errno == EAGAIN);
  ::close(other[0]);
  ::close(other[1]);
}
