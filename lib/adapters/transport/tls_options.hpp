// How the transport clients (websocket_client, http_client) trust TLS servers. A plain value;
// each client builds its own TLS context from it.
#pragma once

#include <string>

namespace tweetup {

struct tls_options {
  // An extra PEM bundle of trusted certificates, used besides the system trust store. Empty: the
  // system store only.
  std::string ca_file;
  // false turns off peer certificate and host name checks. Tests and diagnostics only.
  bool verify = true;
};

}  // namespace tweetup
