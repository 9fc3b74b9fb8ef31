// Parsing http.listen, and where a local client connects for it.
#include "app/listen_address.hpp"

#include <doctest/doctest.h>

using namespace tweetup;

TEST_CASE("listen address: host:port, IPv6 in brackets") {
  const auto v4 = parse_listen_address("127.0.0.1:8080");
  REQUIRE(v4);
  CHECK(v4->host == "127.0.0.1");
  CHECK(v4->port == 8080);
  CHECK(v4->local_origin() == "http://127.0.0.1:8080");

  const auto v6 = parse_listen_address("[::1]:9090");
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK(v6->local_origin() == "http://[::1]:9090");

  const auto any4 = parse_listen_address("0.0.0.0:8080");
  REQUIRE(any4);
  CHECK(any4->host == "0.0.0.0");
  CHECK(any4->local_origin() == "http://127.0.0.1:8080");

  const auto any6 = parse_listen_address("[::]:1");
  REQUIRE(any6);
  CHECK(any6->local_host() == "::1");
  CHECK(any6->local_origin() == "http://[::1]:1");

  const auto named = parse_listen_address("localhost:65535");
  REQUIRE(named);
  CHECK(named->host == "localhost");
  CHECK(named->port == 65535);
}

TEST_CASE("listen address: malformed values are refused") {
  for (const char* bad :
       {"", "8080", ":8080", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
        "127.0.0.1:080", "127.0.0.1:80a", "::1:8080", "[::1:8080", "[]:8080", "[::1]x:8080",
        "http://127.0.0.1:8080", "host name:80", "127.0.0.1:8080/", "[g::1]:80", "a/b:80"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_listen_address(bad));
  }
}
