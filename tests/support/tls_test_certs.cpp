#include "support/tls_test_certs.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <system_error>

#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <boost/asio/buffer.hpp>

namespace tweetup::testing {

namespace {

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace

key_pair_pem make_certificate(const char* common_name, const char* san, long serial) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  REQUIRE(key != nullptr);
  X509* cert = X509_new();
  REQUIRE(cert != nullptr);
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* alt = X509V3_EXT_conf_nid(nullptr, &v3, NID_subject_alt_name, san);
  REQUIRE(alt != nullptr);
  X509_add_ext(cert, alt, -1);
  X509_EXTENSION_free(alt);
  REQUIRE(X509_sign(cert, key, EVP_sha256()) > 0);

  key_pair_pem out;
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  out.cert = bio_text(bio);
  BIO_free(bio);
  bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  out.key = bio_text(bio);
  BIO_free(bio);
  X509_free(cert);
  EVP_PKEY_free(key);
  return out;
}

certificate_file::certificate_file(const char* tag, const char* common_name, const char* san,
                                   long serial)
    : pem(make_certificate(common_name, san, serial)),
      path(std::filesystem::temp_directory_path() /
           ("tweetup-test-cert-" + std::to_string(::getpid()) + "-" + tag + ".pem")) {
  std::ofstream(path) << pem.cert;
}

certificate_file::~certificate_file() {
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
}

const certificate_file& localhost_certificate() {
  static const certificate_file file("localhost", "localhost", "DNS:localhost,IP:127.0.0.1", 1);
  return file;
}

const certificate_file& other_host_certificate() {
  static const certificate_file file("other", "wrong.example", "DNS:wrong.example", 2);
  return file;
}

std::unique_ptr<boost::asio::ssl::context> server_tls(const key_pair_pem& pem) {
  namespace ssl = boost::asio::ssl;
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  ctx->use_certificate(boost::asio::buffer(pem.cert), ssl::context::pem);
  ctx->use_private_key(boost::asio::buffer(pem.key), ssl::context::pem);
  return ctx;
}

}  // namespace tweetup::testing
