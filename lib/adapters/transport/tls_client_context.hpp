// Internal to lib/adapters/transport: the TLS client context both clients build from
// tls_options (TLS 1.2 or later, the system trust store plus tls_options::ca_file).
//
// Lifetime: every TLS stream made from native() must be destroyed before this object.
// Errors: a trust store or ca_file that cannot be loaded does not throw; it is kept in
// load_error() and every TLS connection attempt reports it instead of connecting.
#pragma once

#include <string>

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>

#include "adapters/transport/tls_options.hpp"

namespace tweetup::transport_detail {

class tls_client_context {
 public:
  explicit tls_client_context(const tls_options& tls);
  tls_client_context(const tls_client_context&) = delete;
  tls_client_context& operator=(const tls_client_context&) = delete;

  boost::asio::ssl::context& native() { return context_; }
  // tls_options::verify: check the peer's certificate chain and host name.
  bool verify() const { return verify_; }
  const boost::system::error_code& load_error() const { return load_error_; }
  const std::string& load_error_text() const { return load_error_text_; }

 private:
  boost::asio::ssl::context context_{boost::asio::ssl::context::tls_client};
  bool verify_ = true;
  boost::system::error_code load_error_;
  std::string load_error_text_;
};

}  // namespace tweetup::transport_detail
