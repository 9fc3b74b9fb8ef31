// A real IRC server for integration tests: Debian's InspIRCd 3 on loopback, with a plain client
// port and a WebSocket listener (protocols.md §2). Each instance writes its own config into a
// scratch folder, picks free ports, runs the server in the foreground (no fork, no PID file,
// no core dumps), and stops it by PID (SIGTERM, then SIGKILL) when destroyed.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace tweetup::testing {

class inspircd_server {
 public:
  static constexpr const char* binary = "/usr/sbin/inspircd";
  // Whether the server can be run here at all (CI installs the `inspircd` package).
  static bool installed();

  // Starts the server and returns once the WebSocket port accepts TCP connections (at most
  // 5 s); throws std::runtime_error, with the server's output, when it does not. Ports left 0
  // are picked free; give the old ones to restart a server "in place".
  explicit inspircd_server(int client_port = 0, int ws_port = 0);
  ~inspircd_server();
  inspircd_server(const inspircd_server&) = delete;
  inspircd_server& operator=(const inspircd_server&) = delete;

  int client_port() const { return client_port_; }  // plain IRC over TCP
  int ws_port() const { return ws_port_; }          // IRC over ws://, text frames
  std::string ws_url() const;                       // "ws://127.0.0.1:<port>/"
  // The server's stdout/stderr and log file, for failure messages.
  std::string output() const;

 private:
  void stop();

  std::filesystem::path dir_;
  int client_port_ = 0;
  int ws_port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace tweetup::testing
