// Internal to lib/adapters/transport: the TLS client context both clients build from
// tls_options (TLS 1.2 or later, the system trust store plus tls_options::ca_file).
//
// Made on first use, by the first TLS connection: a client that only ever connects over plain
// TCP (ws:// or http:// on loopback) never initialises OpenSSL's TLS stack. Making a context
// loads OpenSSL's configuration and providers and fetches every cipher and digest: 2.6 MiB of
// RSS measured in a bare program (bench/README.md, "TLS contexts made on first use").
//
// Session resumption (RFC 8446 §2.2): the newest session ticket a server gave for each host
// name is kept, and the next connection to that host takes it (once). A resumed handshake
// skips the certificate chain and its checks (the ticket carries their result), a fraction of
// a full handshake's CPU; REST connections are opened again whenever the server has closed an
// idle one. Hosts given as an IP address send no SNI and are not resumed.
//
// Lifetime: every TLS stream made from native() must be destroyed before this object, which
// must not move (OpenSSL's callbacks find it by address).
// Errors: a trust store or ca_file that cannot be loaded does not throw; it is kept in
// load_error() and every TLS connection attempt reports it instead of connecting.
// Not thread-safe: used on its client's executor.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>

#include <openssl/types.h>

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>

#include "adapters/transport/tls_options.hpp"

namespace tweetup::transport_detail {

class tls_client_context {
 public:
  explicit tls_client_context(tls_options tls) : options_(std::move(tls)) {}
  tls_client_context(const tls_client_context&) = delete;
  tls_client_context& operator=(const tls_client_context&) = delete;

  boost::asio::ssl::context& native() { return made().context; }
  // tls_options::verify: check the peer's certificate chain and host name.
  bool verify() const { return options_.verify; }
  const boost::system::error_code& load_error() { return made().load_error; }
  const std::string& load_error_text() { return made().load_error_text; }
  // Whether a TLS connection has asked for the context yet (tests).
  bool made_yet() const { return made_ != nullptr; }

  // The session ticket kept for `host` (a host name, as sent in SNI), or null; the caller owns
  // it, and it is no longer kept.
  SSL_SESSION* take_session(const std::string& host);
  // Keeps `session` (owned from now on) as the one for `host`, in place of any before it. At
  // most max_sessions hosts are kept.
  void keep_session(const std::string& host, SSL_SESSION* session);
  static constexpr std::size_t max_sessions = 8;

 private:
  struct session_free {
    void operator()(SSL_SESSION* session) const;
  };
  struct context_and_errors {
    boost::asio::ssl::context context{boost::asio::ssl::context::tls_client};
    boost::system::error_code load_error;
    std::string load_error_text;
  };
  context_and_errors& made();

  tls_options options_;
  std::unique_ptr<context_and_errors> made_;
  // After made_, so freed before the context.
  std::map<std::string, std::unique_ptr<SSL_SESSION, session_free>> sessions_;
};

}  // namespace tweetup::transport_detail
