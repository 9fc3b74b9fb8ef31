// The TLS client context is made by the first TLS connection, not by the client that holds it:
// a client that only connects over plain TCP never initialises OpenSSL's TLS stack.
#include "adapters/transport/tls_client_context.hpp"

#include <doctest/doctest.h>

#include <string>

using tweetup::tls_options;
using tweetup::transport_detail::tls_client_context;

TEST_CASE("tls_client_context: made on first use, once") {
  tls_client_context tls(tls_options{});
  CHECK_FALSE(tls.made_yet());
  CHECK(tls.verify());  // known without making the context
  CHECK_FALSE(tls.made_yet());
  auto& context = tls.native();
  CHECK(tls.made_yet());
  CHECK(&tls.native() == &context);
  CHECK_FALSE(tls.load_error());
  // TLS 1.0 and 1.1 are refused.
  CHECK((SSL_CTX_get_options(context.native_handle()) & SSL_OP_NO_TLSv1_1) != 0);
}

TEST_CASE("tls_client_context: a ca_file that cannot be read is reported at first use") {
  tls_options options;
  options.ca_file = "/nonexistent/tweetup-ca.pem";
  options.verify = false;
  tls_client_context tls(options);  // does not throw, and reads nothing yet
  CHECK_FALSE(tls.made_yet());
  CHECK_FALSE(tls.verify());
  CHECK(tls.load_error());
  CHECK(tls.made_yet());
  CHECK(tls.load_error_text().find("cannot load ca_file /nonexistent/tweetup-ca.pem") !=
        std::string::npos);
}
