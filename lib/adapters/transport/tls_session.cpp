#include "adapters/transport/tls_session.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>

#include "adapters/transport/parsed_url.hpp"

namespace tweetup::transport_detail {

namespace {

using boost::system::error_code;

bool would_block(int e) {
  return e == EAGAIN || e == EWOULDBLOCK || e == EINTR;
}

tls_session::socket_input& input_of(BIO* b) {
  return *static_cast<tls_session::socket_input*>(BIO_get_data(b));
}

// OpenSSL's socket BIO writes with write(), which raises SIGPIPE when the peer has reset the
// connection; this one sends with MSG_NOSIGNAL, as Asio's own sockets do.
int bio_write(BIO* b, const char* data, int size) {
  BIO_clear_retry_flags(b);
  const ssize_t sent = ::send(input_of(b).fd, data, static_cast<std::size_t>(size), MSG_NOSIGNAL);
  if (sent >= 0) return static_cast<int>(sent);
  if (would_block(errno)) BIO_set_retry_write(b);
  return -1;
}

// OpenSSL reads a record's 5-byte header and then its body. Each of those reads is served
// from one buffer filled by a single recv() of all that has arrived, so that a burst of
// records costs one system call. (OpenSSL's own read-ahead does that too, but moves what is
// left in its buffer to the front before every record: with a buffer full of small records,
// 6,600 instructions a command in the benchmark, more than the copy out of this one.) A read
// at least as large as that buffer, the rest of a long record, goes straight into OpenSSL's.
int bio_read(BIO* b, char* data, int size) {
  BIO_clear_retry_flags(b);
  auto& in = input_of(b);
  if (in.begin == in.end) {
    const bool direct = static_cast<std::size_t>(size) >= tls_session::input_room;
    if (!direct && !in.buffer)
      in.buffer = std::make_unique_for_overwrite<char[]>(tls_session::input_room);
    const ssize_t got =
        ::recv(in.fd, direct ? data : in.buffer.get(),
               direct ? static_cast<std::size_t>(size) : tls_session::input_room, 0);
    if (got == 0) {
      // OpenSSL asks BIO_eof() to tell a cut connection from one that is merely slow.
      BIO_set_flags(b, BIO_FLAGS_IN_EOF);
      return 0;
    }
    if (got < 0) {
      if (would_block(errno)) BIO_set_retry_read(b);
      return -1;
    }
    if (direct) return static_cast<int>(got);
    in.begin = 0;
    in.end = static_cast<std::size_t>(got);
  }
  const std::size_t take = std::min(static_cast<std::size_t>(size), in.end - in.begin);
  std::memcpy(data, in.buffer.get() + in.begin, take);
  in.begin += take;
  return static_cast<int>(take);
}

long bio_ctrl(BIO* b, int command, long /*number*/, void* /*pointer*/) {
  switch (command) {
    case BIO_CTRL_FLUSH:
      return 1;  // every write went to the socket already
    case BIO_CTRL_EOF:
      return BIO_test_flags(b, BIO_FLAGS_IN_EOF) != 0 ? 1 : 0;
    default:
      return 0;
  }
}

// Made once; OpenSSL keeps no reference to a method's owner, so it lives for the process.
const BIO_METHOD* socket_method() {
  static BIO_METHOD* const method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "tweetup socket");
    if (m == nullptr) return m;
    BIO_meth_set_write(m, bio_write);
    BIO_meth_set_read(m, bio_read);
    BIO_meth_set_ctrl(m, bio_ctrl);
    return m;
  }();
  return method;
}

error_code ssl_error(unsigned long e) {
  return error_code(static_cast<int>(e), boost::asio::error::get_ssl_category());
}

error_code allocation_failed() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  return e != 0 ? ssl_error(e) : error_code(boost::asio::error::no_memory);
}

// SSL_get_error() takes any error left in the thread's queue for this call's: clear it first.
// Peeking is cheaper than clearing, and the queue is nearly always empty.
void clear_stale_errors() {
  if (ERR_peek_error() != 0) ERR_clear_error();
}

}  // namespace

tls_session::tls_session(SSL_CTX* context, int fd) : input_(std::make_unique<socket_input>()) {
  input_->fd = fd;
  const BIO_METHOD* method = socket_method();
  BIO* bio = method != nullptr ? BIO_new(method) : nullptr;
  ssl_ = bio != nullptr ? SSL_new(context) : nullptr;
  if (ssl_ == nullptr) {
    BIO_free(bio);
    setup_error_ = allocation_failed();
    return;
  }
  BIO_set_data(bio, input_.get());
  BIO_set_init(bio, 1);
  SSL_set_bio(ssl_, bio, bio);  // the SSL owns the BIO now
  // write() may end after a record, as write_some does, and is retried with the same bytes.
  SSL_set_mode(ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // A TLS 1.2 renegotiation would have a write read records, which a read waiting for the
  // socket would then not see; TLS 1.3 has none. A server's request is declined.
  SSL_set_options(ssl_, SSL_OP_NO_RENEGOTIATION);
  SSL_set_max_send_fragment(ssl_, max_record);
}

tls_session::~tls_session() {
  SSL_free(ssl_);
}

error_code tls_session::expect_peer(const std::string& host, bool verify) {
  host_ = host;
  clear_stale_errors();
  const bool literal = is_ip_literal(host);
  if (!literal && SSL_set_tlsext_host_name(ssl_, host.c_str()) != 1) return allocation_failed();
  if (!verify) {
    SSL_set_verify(ssl_, SSL_VERIFY_NONE, nullptr);
    return {};
  }
  SSL_set_verify(ssl_, SSL_VERIFY_PEER, nullptr);
  const int named = literal ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), host.c_str())
                            : SSL_set1_host(ssl_, host.c_str());
  if (named != 1) return allocation_failed();
  return {};
}

void tls_session::resume(SSL_SESSION* ticket) {
  SSL_set_session(ssl_, ticket);  // takes a reference of its own
  SSL_SESSION_free(ticket);
}

tls_session::step tls_session::handshake() {
  clear_stale_errors();
  errno = 0;
  return finish(SSL_connect(ssl_), 0);
}

tls_session::step tls_session::read(void* data, std::size_t size) {
  clear_stale_errors();
  errno = 0;
  std::size_t got = 0;
  const int ok = SSL_read_ex(ssl_, data, size, &got);
  return finish(ok, got);
}

tls_session::step tls_session::write(const void* data, std::size_t size) {
  clear_stale_errors();
  errno = 0;
  std::size_t sent = 0;
  const int ok = SSL_write_ex(ssl_, data, size, &sent);
  return finish(ok, sent);
}

void tls_session::send_close_notify() {
  if (ssl_ == nullptr || SSL_is_init_finished(ssl_) == 0) return;
  clear_stale_errors();
  SSL_shutdown(ssl_);
  ERR_clear_error();
}

std::string tls_session::verify_failure() const {
  if (ssl_ == nullptr) return {};
  const long result = SSL_get_verify_result(ssl_);
  if (result == X509_V_OK) return {};
  if (result == X509_V_ERR_HOSTNAME_MISMATCH || result == X509_V_ERR_IP_ADDRESS_MISMATCH) {
    return "the certificate does not name " + host_;
  }
  return X509_verify_cert_error_string(result);
}

tls_session::step tls_session::finish(int result, std::size_t bytes) {
  step s;
  if (result == 1) {
    s.bytes = bytes;
    return s;
  }
  const int saved_errno = errno;
  switch (SSL_get_error(ssl_, result)) {
    case SSL_ERROR_WANT_READ:
      s.next = want::read;
      return s;
    case SSL_ERROR_WANT_WRITE:
      s.next = want::write;
      return s;
    case SSL_ERROR_ZERO_RETURN:  // the peer's close_notify
      s.ec = boost::asio::error::eof;
      break;
    case SSL_ERROR_SYSCALL: {
      const unsigned long e = ERR_get_error();
      if (e != 0) {
        s.ec = ssl_error(e);
      } else if (saved_errno != 0) {
        s.ec = error_code(saved_errno, boost::system::system_category());
      } else {
        s.ec = boost::asio::ssl::error::stream_truncated;
      }
      break;
    }
    case SSL_ERROR_SSL: {
      const unsigned long e = ERR_get_error();
      // The connection ended without close_notify: what asio::ssl::stream calls a truncation.
      s.ec =
          ERR_GET_LIB(e) == ERR_LIB_SSL && ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING
              ? error_code(boost::asio::ssl::error::stream_truncated)
              : ssl_error(e);
      break;
    }
    default:
      s.ec = boost::asio::ssl::error::unexpected_result;
      break;
  }
  ERR_clear_error();
  return s;
}

}  // namespace tweetup::transport_detail
