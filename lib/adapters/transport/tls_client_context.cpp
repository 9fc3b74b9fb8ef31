#include "adapters/transport/tls_client_context.hpp"

namespace tweetup::transport_detail {

namespace ssl = boost::asio::ssl;

tls_client_context::tls_client_context(const tls_options& tls) : verify_(tls.verify) {
  context_.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  boost::system::error_code ec;
  context_.set_default_verify_paths(ec);
  if (ec) {
    load_error_ = ec;
    load_error_text_ = "cannot load the system trust store: " + ec.message();
    return;
  }
  if (!tls.ca_file.empty()) {
    context_.load_verify_file(tls.ca_file, ec);
    if (ec) {
      load_error_ = ec;
      load_error_text_ = "cannot load ca_file " + tls.ca_file + ": " + ec.message();
    }
  }
}

}  // namespace tweetup::transport_detail
