#include "adapters/transport/tls_client_context.hpp"

#include <openssl/x509.h>

#include <cstdlib>
#include <filesystem>

namespace tweetup::transport_detail {

namespace ssl = boost::asio::ssl;

namespace {

// The system trust store. set_default_verify_paths() reads the whole CA bundle file into every
// context (about 0.7 MB of heap each, measured with massif: two contexts were a third of the
// bot's heap). The hashed directory beside it holds the same roots, and OpenSSL reads from it
// only the roots a peer's chain names. Without the directory (or when SSL_CERT_FILE points
// elsewhere) OpenSSL's own defaults apply.
void load_system_trust(ssl::context& context, boost::system::error_code& ec) {
  const char* dir_env = std::getenv(X509_get_default_cert_dir_env());
  const std::string dir = dir_env && *dir_env ? dir_env : X509_get_default_cert_dir();
  if (std::getenv(X509_get_default_cert_file_env()) == nullptr) {
    std::error_code list_ec;
    for (std::filesystem::directory_iterator it(dir, list_ec), end; !list_ec && it != end;
         it.increment(list_ec)) {
      // c_rehash names: 8 hex digits of the subject hash, a dot, a number.
      const std::string name = it->path().filename().string();
      if (name.size() >= 10 && name[8] == '.') {
        context.add_verify_path(dir, ec);
        return;
      }
    }
  }
  context.set_default_verify_paths(ec);
}

}  // namespace

tls_client_context::context_and_errors& tls_client_context::made() {
  if (made_) return *made_;
  made_ = std::make_unique<context_and_errors>();
  auto& m = *made_;
  m.context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  boost::system::error_code ec;
  load_system_trust(m.context, ec);
  if (ec) {
    m.load_error = ec;
    m.load_error_text = "cannot load the system trust store: " + ec.message();
    return m;
  }
  if (!options_.ca_file.empty()) {
    m.context.load_verify_file(options_.ca_file, ec);
    if (ec) {
      m.load_error = ec;
      m.load_error_text = "cannot load ca_file " + options_.ca_file + ": " + ec.message();
    }
  }
  return m;
}

}  // namespace tweetup::transport_detail
