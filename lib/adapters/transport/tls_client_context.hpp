// Internal to lib/adapters/transport: the TLS client context both clients build from
// tls_options (TLS 1.2 or later, the system trust store plus tls_options::ca_file).
//
// Made on first use, by the first TLS connection: a client that only ever connects over plain
// TCP (ws:// or http:// on loopback) never initialises OpenSSL's TLS stack. Making a context
// loads OpenSSL's configuration and providers and fetches every cipher and digest: 2.6 MiB of
// RSS measured in a bare program (bench/README.md, "TLS contexts made on first use").
//
// Lifetime: every TLS stream made from native() must be destroyed before this object.
// Errors: a trust store or ca_file that cannot be loaded does not throw; it is kept in
// load_error() and every TLS connection attempt reports it instead of connecting.
// Not thread-safe: used on its client's executor.
#pragma once

#include <memory>
#include <string>
#include <utility>

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

 private:
  struct context_and_errors {
    boost::asio::ssl::context context{boost::asio::ssl::context::tls_client};
    boost::system::error_code load_error;
    std::string load_error_text;
  };
  context_and_errors& made();

  tls_options options_;
  std::unique_ptr<context_and_errors> made_;
};

}  // namespace tweetup::transport_detail
