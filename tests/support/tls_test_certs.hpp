// Certificates made at test time with the OpenSSL C API, for loopback TLS servers in the
// integration tests: nothing touches the internet or the system trust store. Each certificate
// is self-signed, so passing its PEM file as tls_options::ca_file makes a client trust it.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

namespace tweetup::testing {

struct key_pair_pem {
  std::string cert;
  std::string key;
};

// A self-signed P-256 certificate for `common_name`, valid for the subjectAltName list `san`
// (e.g. "DNS:localhost,IP:127.0.0.1") from an hour ago until a day from now.
key_pair_pem make_certificate(const char* common_name, const char* san, long serial);

// A certificate and its PEM file in the temporary directory (named after the process id and
// `tag`), removed again by the destructor.
struct certificate_file {
  certificate_file(const char* tag, const char* common_name, const char* san, long serial);
  ~certificate_file();
  certificate_file(const certificate_file&) = delete;
  certificate_file& operator=(const certificate_file&) = delete;

  key_pair_pem pem;
  std::filesystem::path path;
};

// Made once per process: CN/DNS localhost with IP 127.0.0.1, and one for "wrong.example" only.
const certificate_file& localhost_certificate();
const certificate_file& other_host_certificate();

// A TLS server context presenting `pem`.
std::unique_ptr<boost::asio::ssl::context> server_tls(const key_pair_pem& pem);

}  // namespace tweetup::testing
