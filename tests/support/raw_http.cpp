#include "support/raw_http.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

namespace tweetup::testing {
namespace {

// Where the n-th response ends in `bytes` (headers + Content-Length body), or npos when it has
// not arrived whole. Responses to HEAD carry no body whatever their Content-Length says.
std::size_t response_end(const std::string& bytes, int n, int head_responses) {
  std::size_t at = 0;
  for (int i = 0; i <= n; ++i) {
    const auto blank = bytes.find("\r\n\r\n", at);
    if (blank == std::string::npos) return std::string::npos;
    std::size_t length = 0;
    const std::string head = bytes.substr(at, blank - at);
    std::string lower = head;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (const auto cl = lower.find("\r\ncontent-length:"); cl != std::string::npos) {
      length = std::strtoul(head.c_str() + cl + 17, nullptr, 10);
    }
    if (i < head_responses) length = 0;
    at = blank + 4 + length;
    if (at > bytes.size()) return std::string::npos;
  }
  return at;
}

}  // namespace

raw_connection::raw_connection(int port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  const sockaddr_in a = loopback(port);
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

raw_connection::~raw_connection() {
  if (fd_ >= 0) ::close(fd_);
}

void raw_connection::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool raw_connection::send(const std::string& bytes) {
  std::size_t sent = 0;
  while (fd_ >= 0 && sent < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return fd_ >= 0;
}

bool raw_connection::read_some(std::chrono::steady_clock::time_point deadline) {
  if (fd_ < 0 || closed_) return false;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
  char chunk[4096];
  const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
  if (n <= 0) {
    closed_ = true;  // end of stream, or reset
    return false;
  }
  in_.append(chunk, static_cast<std::size_t>(n));
  return true;
}

bool raw_connection::read_responses(int count, std::chrono::milliseconds limit,
                                    int head_responses) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (response_end(in_, count - 1, head_responses) == std::string::npos) {
    if (!read_some(deadline))
      return response_end(in_, count - 1, head_responses) != std::string::npos;
  }
  return true;
}

bool raw_connection::wait_closed(std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (read_some(deadline)) {
  }
  return closed_;
}

std::optional<http_answer> http_get(int port, const std::string& target,
                                    std::chrono::milliseconds limit) {
  raw_connection c(port);
  if (!c.connected()) return std::nullopt;
  if (!c.send("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")) {
    return std::nullopt;
  }
  if (!c.read_responses(1, limit)) return std::nullopt;
  const std::string& bytes = c.received();
  const auto blank = bytes.find("\r\n\r\n");
  http_answer answer;
  answer.status = status_of(bytes);
  answer.headers = bytes.substr(0, blank);
  answer.body = bytes.substr(blank + 4);
  return answer;
}

int status_of(const std::string& bytes, int n) {
  std::size_t at = 0;
  for (int i = 0; i < n; ++i) {
    at = bytes.find("HTTP/1.", at + 1);
    if (at == std::string::npos) return 0;
  }
  if (bytes.compare(at, 7, "HTTP/1.") != 0 || bytes.size() < at + 12) return 0;
  return std::atoi(bytes.c_str() + at + 9);
}

}  // namespace tweetup::testing
