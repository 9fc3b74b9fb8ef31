// A real IRC server for integration tests and the IRC benchmark: Debian's InspIRCd 3 on
// loopback (protocols.md §2). Each instance writes its own config into a scratch folder, picks
// free ports, runs the server in the foreground (no fork, no PID file, no core dumps), and stops
// it by PID (SIGTERM, then SIGKILL) when destroyed.
//
// Listeners, all on 127.0.0.1:
// - client_port: plain IRC over TCP, for test peers;
// - ws_port: IRC over ws:// (text frames);
// - wss_port: IRC over wss://, when a certificate is given (ssl_gnutls: Debian's package ships
//   no ssl_openssl module);
// - stock_ws_port: ws:// again, when asked for, in a connect class with InspIRCd's stock flood
//   limits (inspircd.conf.example: threshold 10, commandrate 1000 = one line per second,
//   fakelag on, recvq 10K, softsendq 10K, hardsendq 1M), and no exemptions.
// Every other listener shares one class without flood limits to speak of (a million lines per
// second, no fakelag, 1 MiB recvq, 16 MiB sendq), so that test peers and the benchmark measure
// the bot, not the server's flood control. Every class allows 200 connections per IP (every
// client is 127.0.0.1) and does no DNS or ident lookups.
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

  struct options {
    // Ports left 0 are picked free; give the ones of options() to restart a server "in place".
    int client_port = 0;
    int ws_port = 0;
    // A wss:// listener presenting this certificate and key (PEM text), when `tls_cert_pem` is
    // not empty.
    std::string tls_cert_pem;
    std::string tls_key_pem;
    int wss_port = 0;
    // IRCv3 echo-message (m_ircv3_echomessage), as most networks offer it: the server echoes
    // each PRIVMSG it relays to its sender.
    bool echo_message = false;
    // A ws:// listener with the stock flood limits.
    bool stock_flood_listener = false;
    int stock_ws_port = 0;
  };

  // Starts the server and returns once every listener accepts TCP connections (at most 5 s);
  // throws std::runtime_error, with the server's output, when it does not.
  explicit inspircd_server(options o);
  explicit inspircd_server(int client_port = 0, int ws_port = 0);
  ~inspircd_server();
  inspircd_server(const inspircd_server&) = delete;
  inspircd_server& operator=(const inspircd_server&) = delete;

  // What the server runs with, every port filled in.
  const options& used() const { return options_; }
  int client_port() const { return options_.client_port; }           // plain IRC over TCP
  int ws_port() const { return options_.ws_port; }                   // ws://, no flood limits
  int wss_port() const { return options_.wss_port; }                 // 0 without a certificate
  int stock_ws_port() const { return options_.stock_ws_port; }       // 0 unless asked for
  std::string ws_url() const;                                        // "ws://127.0.0.1:<port>/"
  std::string wss_url(const std::string& host = "localhost") const;  // "wss://<host>:<port>/"
  std::string stock_ws_url() const;
  // The server's stdout/stderr and log file, for failure messages.
  std::string output() const;

 private:
  void start();
  void stop();

  options options_;
  std::filesystem::path dir_;
  pid_t pid_ = -1;
};

}  // namespace tweetup::testing
