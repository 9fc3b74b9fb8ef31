// The value of http.listen, "host:port", split for the server and for `tweetup healthcheck`.
// Pure: no name resolution.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tweetup {

struct listen_address {
  std::string host;  // an IPv4 literal, an IPv6 literal without brackets, or a host name
  std::uint16_t port = 0;

  // Where a client on the same machine connects: the wildcard addresses 0.0.0.0 and :: become
  // the loopback address of their family, anything else stays.
  std::string local_host() const;
  // "http://host:port" for a client on the same machine (local_host(), IPv6 in brackets).
  std::string local_origin() const;
};

// Parses "host:port" with an IPv6 host in brackets ("[::1]:8080"). The port is decimal,
// 1..65535; the host is not empty and holds no spaces, slashes or other URL syntax. nullopt
// otherwise.
std::optional<listen_address> parse_listen_address(std::string_view text);

}  // namespace tweetup
