// A raw HTTP/1.1 client on a blocking loopback TCP socket, for tests of the ops endpoint: it
// sends exactly the bytes given (malformed ones included) and reads with poll(2) deadlines, so
// no wait is unbounded and none sleeps.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "support/loopback.hpp"

namespace tweetup::testing {

class raw_connection {
 public:
  // Connects to 127.0.0.1:port; connected() tells whether it worked.
  explicit raw_connection(int port);
  ~raw_connection();
  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;

  bool connected() const { return fd_ >= 0; }
  // Closes our end now.
  void close();
  // Sends all of `bytes`; false when the peer is gone.
  bool send(const std::string& bytes);
  // Reads until `received()` holds `count` complete responses (framed by Content-Length; a
  // response to HEAD must be announced with `head_responses`), the peer closes, or `limit`
  // passes. Returns whether that many arrived.
  bool read_responses(int count, std::chrono::milliseconds limit, int head_responses = 0);
  // Reads until the peer closes the connection (true) or `limit` passes (false).
  bool wait_closed(std::chrono::milliseconds limit);
  // Everything received so far.
  const std::string& received() const { return in_; }

 private:
  bool read_some(std::chrono::steady_clock::time_point deadline);
  int fd_ = -1;
  bool closed_ = false;
  std::string in_;
};

struct http_answer {
  int status = 0;
  std::string headers;  // the raw header block
  std::string body;
};

// One GET (Connection: close) to 127.0.0.1:port; nullopt when it cannot connect or no complete
// answer arrives within `limit`.
std::optional<http_answer> http_get(int port, const std::string& target,
                                    std::chrono::milliseconds limit = std::chrono::seconds(5));

// The status code of the n-th response (0-based) in `bytes`, or 0.
int status_of(const std::string& bytes, int n = 0);

}  // namespace tweetup::testing
