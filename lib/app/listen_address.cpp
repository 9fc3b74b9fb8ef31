#include "app/listen_address.hpp"

#include <algorithm>
#include <cctype>

namespace tweetup {
namespace {

bool host_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_';
}

bool v6_char(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0 || c == ':' || c == '.';
}

}  // namespace

std::string listen_address::local_host() const {
  if (host == "0.0.0.0") return "127.0.0.1";
  if (host == "::") return "::1";
  return host;
}

std::string listen_address::local_origin() const {
  const std::string h = local_host();
  const bool v6 = h.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + h + "]" : h) + ":" + std::to_string(port);
}

std::optional<listen_address> parse_listen_address(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view host = text.substr(0, colon);
  const std::string_view port = text.substr(colon + 1);
  if (port.empty() || port.size() > 5 || (port.size() > 1 && port.front() == '0') ||
      !std::all_of(port.begin(), port.end(),
                   [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; })) {
    return std::nullopt;
  }
  const int number = std::stoi(std::string(port));
  if (number < 1 || number > 65535) return std::nullopt;

  if (host.starts_with('[')) {
    if (!host.ends_with(']') || host.size() < 4) return std::nullopt;
    host = host.substr(1, host.size() - 2);
    if (!std::all_of(host.begin(), host.end(), v6_char)) return std::nullopt;
  } else if (host.empty() || !std::all_of(host.begin(), host.end(), host_char)) {
    return std::nullopt;
  }
  return listen_address{std::string(host), static_cast<std::uint16_t>(number)};
}

}  // namespace tweetup
