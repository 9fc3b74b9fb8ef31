// Internal to lib/adapters/transport: one TLS client connection run by OpenSSL directly on a
// connected, non-blocking socket, one step at a time. net_stream.hpp turns the steps into Asio
// operations; this class does no waiting of its own and knows nothing of Asio's reactor.
//
// Why not asio::ssl::stream: it runs OpenSSL against a memory BIO pair and copies every record
// between that pair and the socket through two more buffers of its own: 68 KiB per connection
// besides OpenSSL's own, one more copy of every record, and a composed operation wrapped around
// each SSL call (bench/README.md, "Our own TLS stream"). Here OpenSSL reads and writes the
// socket itself, through a BIO of ours that sends with MSG_NOSIGNAL (a write to a reset
// connection must not raise SIGPIPE) and takes every record that has arrived with one recv()
// into a buffer of input_room bytes, made at the first read (or, for the rest of a record
// longer than that, straight into OpenSSL's).
//
// Errors, as asio::ssl::stream gave them, so that callers keep their checks: a TLS failure is
// an error_code in asio's SSL category (its message is OpenSSL's, e.g. "certificate verify
// failed"); the peer's close_notify is asio::error::eof; the connection cut without one is
// asio::ssl::error::stream_truncated; a socket failure is the errno as a system error.
//
// Lifetime: the socket must outlive this object, which never closes it. Not thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include <openssl/ssl.h>
#include <boost/system/error_code.hpp>

namespace tweetup::transport_detail {

class tls_session {
 public:
  // What the last step needs before it can go on: nothing (it finished, well or not), or the
  // socket to become readable or writable. Then the same step is called again, with the same
  // arguments.
  enum class want { nothing, read, write };
  struct step {
    want next = want::nothing;
    std::size_t bytes = 0;  // read or written, when it finished without an error
    boost::system::error_code ec;
  };

  // What one recv() into the BIO's buffer may take: a burst of small records (a REST response,
  // gateway events), not a whole large one, which is read into OpenSSL's buffer directly. The
  // bot holds nine connections: 4 KiB instead of 16 is 108 KiB less heap in use.
  static constexpr std::size_t input_room = 4096;
  // The most plaintext one record sent carries. OpenSSL sizes each connection's write buffer
  // for its largest record (16 KiB by default), and nearly every request and gateway frame of
  // the bot is smaller; a longer write goes out in several records, one per write().
  static constexpr std::size_t max_record = 4096;

  // The BIO's side: the socket and what was received but not yet taken by OpenSSL.
  struct socket_input {
    int fd = -1;
    std::unique_ptr<char[]> buffer;  // input_room bytes, from the first read on
    std::size_t begin = 0;
    std::size_t end = 0;
  };

  // A session on the connected socket `fd`, with the options of `context`. Fails (error()) only
  // when OpenSSL cannot allocate it.
  tls_session(SSL_CTX* context, int fd);
  ~tls_session();
  tls_session(const tls_session&) = delete;
  tls_session& operator=(const tls_session&) = delete;

  const boost::system::error_code& error() const { return setup_error_; }

  // Before the handshake. SNI for a host name (never for an address literal, RFC 6066 §3),
  // and, when `verify`, the chain against the context's trust store and the certificate's
  // names against `host` (RFC 6125: a DNS name, or an IP address for a literal).
  boost::system::error_code expect_peer(const std::string& host, bool verify);

  // Before the handshake: offers `ticket` (the caller's reference is taken) to resume a
  // session of the same host (tls_client_context keeps them).
  void resume(SSL_SESSION* ticket);

  step handshake();
  step read(void* data, std::size_t size);
  step write(const void* data, std::size_t size);
  // Sends close_notify if the socket takes it now; never waits.
  void send_close_notify();

  // After a failed handshake: why the peer's certificate was refused, in words, or empty when
  // it was not (e.g. "the certificate does not name example.com").
  std::string verify_failure() const;

 private:
  step finish(int result, std::size_t bytes);

  std::unique_ptr<socket_input> input_;  // the BIO's data: its address stays put
  SSL* ssl_ = nullptr;
  std::string host_;
  boost::system::error_code setup_error_;
};

}  // namespace tweetup::transport_detail
