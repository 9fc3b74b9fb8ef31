#include "adapters/transport/tls_client_context.hpp"

#include <openssl/ssl.h>
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

// Where a context's SSL_CTX points back to it. Not the context's "app data", which
// asio::ssl::context owns (its destructor deletes what is there as a verify callback).
int owner_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// OpenSSL's new-session callback: a server sent a ticket on a connection made from the
// context. TLS 1.3 tickets only: a TLS 1.2 session must not outlive a connection that ended
// without close_notify (RFC 5246 §7.2.1), as REST connections often do; RFC 8446 §6.1 dropped
// that rule. A copy is kept, because OpenSSL marks the connection's own session object as not
// resumable when the connection is freed without close_notify.
int keep_new_session(SSL* ssl, SSL_SESSION* session) {
  auto* owner =
      static_cast<tls_client_context*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), owner_index()));
  const char* host = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (owner == nullptr || host == nullptr || SSL_SESSION_is_resumable(session) != 1 ||
      SSL_SESSION_get_protocol_version(session) != TLS1_3_VERSION) {
    return 0;
  }
  if (SSL_SESSION* copy = SSL_SESSION_dup(session)) owner->keep_session(host, copy);
  return 0;  // the connection keeps its own reference
}

}  // namespace

void tls_client_context::session_free::operator()(SSL_SESSION* session) const {
  SSL_SESSION_free(session);
}

SSL_SESSION* tls_client_context::take_session(const std::string& host) {
  const auto it = sessions_.find(host);
  if (it == sessions_.end()) return nullptr;
  SSL_SESSION* session = it->second.release();
  sessions_.erase(it);
  return session;
}

void tls_client_context::keep_session(const std::string& host, SSL_SESSION* session) {
  if (sessions_.size() >= max_sessions && sessions_.find(host) == sessions_.end()) {
    sessions_.erase(sessions_.begin());
  }
  sessions_[host].reset(session);
}

tls_client_context::context_and_errors& tls_client_context::made() {
  if (made_) return *made_;
  made_ = std::make_unique<context_and_errors>();
  auto& m = *made_;
  m.context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  // Client-side session caching goes through the callback alone: OpenSSL's own cache is a
  // server's, by session id.
  SSL_CTX* native = m.context.native_handle();
  SSL_CTX_set_ex_data(native, owner_index(), this);
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(native, keep_new_session);
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
