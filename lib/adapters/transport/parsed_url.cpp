#include "adapters/transport/parsed_url.hpp"

#include <algorithm>
#include <cctype>

#include <boost/asio/ip/address.hpp>
#include <boost/system/errc.hpp>

namespace tweetup {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view default_port_of(std::string_view scheme) {
  return scheme == "https" || scheme == "wss" ? "443" : "80";
}

boost::system::error_code invalid() {
  return boost::system::errc::make_error_code(boost::system::errc::invalid_argument);
}

}  // namespace

bool parsed_url::secure() const {
  return scheme == "https" || scheme == "wss";
}

bool parsed_url::default_port() const {
  return port == default_port_of(scheme);
}

std::string parsed_url::authority() const {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (!default_port()) out += ":" + port;
  return out;
}

std::string parsed_url::origin() const {
  return scheme + "://" + authority();
}

bool parsed_url::plain_allowed() const {
  return secure() || is_loopback_host(host);
}

boost::system::result<parsed_url> parse_url(std::string_view text) {
  // Spaces and control characters would end up in a request line or a Host header.
  if (std::any_of(text.begin(), text.end(),
                  [](unsigned char c) { return c <= 0x20 || c == 0x7f; })) {
    return invalid();
  }
  const auto sep = text.find("://");
  if (sep == std::string_view::npos) return invalid();
  parsed_url u;
  u.scheme = lower(text.substr(0, sep));
  if (u.scheme != "http" && u.scheme != "https" && u.scheme != "ws" && u.scheme != "wss") {
    return invalid();
  }
  std::string_view rest = text.substr(sep + 3);
  if (const auto hash = rest.find('#'); hash != std::string_view::npos) {
    rest = rest.substr(0, hash);
  }
  const auto path_start = rest.find_first_of("/?");
  const std::string_view authority = rest.substr(0, path_start);
  u.target = path_start == std::string_view::npos ? "/" : std::string(rest.substr(path_start));
  if (u.target.front() == '?') u.target.insert(0, "/");
  // Credentials in the URL would be sent nowhere and are a sign of a mistake.
  if (authority.empty() || authority.find('@') != std::string_view::npos) return invalid();
  std::string_view host;
  std::string_view port;
  bool has_port = false;
  if (authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return invalid();
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return invalid();
      port = after.substr(1);
      has_port = true;
    }
  } else {
    const auto colon = authority.rfind(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      has_port = true;
    }
  }
  if (host.empty()) return invalid();
  u.host = lower(host);
  if (!has_port) {
    u.port = std::string(default_port_of(u.scheme));
    return u;
  }
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(),
                   [](unsigned char c) { return std::isdigit(c) != 0; })) {
    return invalid();
  }
  int number = 0;
  for (const char c : port)
    number = number * 10 + (c - '0');
  if (number < 1 || number > 65535) return invalid();
  u.port = std::to_string(number);
  return u;
}

bool is_ip_literal(std::string_view host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(std::string(host), ec);
  return !ec;
}

bool is_loopback_host(std::string_view host) {
  const std::string name = lower(host);
  if (name == "localhost" || name == "localhost.") return true;
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(name, ec);
  return !ec && address.is_loopback();
}

}  // namespace tweetup
