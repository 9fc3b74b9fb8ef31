// An absolute http://, https://, ws:// or wss:// URL split into the parts a client connects with,
// and the loopback rule that decides where unencrypted traffic is allowed. Pure values: no I/O,
// no name resolution.
#pragma once

#include <string>
#include <string_view>

#include <boost/system/result.hpp>

namespace tweetup {

struct parsed_url {
  std::string scheme;  // lower case: "http", "https", "ws" or "wss"
  std::string host;    // lower case; an IPv6 literal without its brackets
  std::string port;    // decimal 1..65535 without leading zeros; the scheme's default when absent
  std::string target;  // path and query, at least "/"; the fragment is dropped

  // https:// or wss://.
  bool secure() const;
  // The port is the scheme's default (443 or 80), so the Host header leaves it out.
  bool default_port() const;
  // "host[:port]" as sent in a Host header: IPv6 literals in brackets, the port only when it is
  // not the default.
  std::string authority() const;
  // "scheme://authority", without the target.
  std::string origin() const;
  // Unencrypted traffic to this URL is allowed: it is secure, or its host is loopback.
  bool plain_allowed() const;
};

// Parses "scheme://host[:port][/path][?query][#fragment]" with one of the four schemes above.
// A missing path gives "/"; a query without a path gives "/?query". Fails with
// errc::invalid_argument for another scheme, an empty host, user credentials ("user@host"), an
// unclosed IPv6 bracket, or a port that is empty, not decimal, or outside 1..65535.
boost::system::result<parsed_url> parse_url(std::string_view text);

// True for "localhost" (with or without the final dot) and for literal addresses in 127.0.0.0/8
// or ::1, the hosts nobody else can read or alter the bytes of. Host names are not resolved: a
// caller that connects by name checks the resolved addresses too.
bool is_loopback_host(std::string_view host);

// True when `host` is a literal IPv4 or IPv6 address (without brackets) rather than a name.
bool is_ip_literal(std::string_view host);

}  // namespace tweetup
