#include "support/inspircd.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "support/loopback.hpp"

namespace fs = std::filesystem;

namespace tweetup::testing {
namespace {

bool accepts_connections(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  const sockaddr_in address = loopback(port);
  const bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

int counter() {
  static int n = 0;
  return n++;
}

}  // namespace

bool inspircd_server::installed() {
  return ::access(binary, X_OK) == 0;
}

inspircd_server::inspircd_server(int client_port, int ws_port)
    : inspircd_server(options{client_port, ws_port, {}, {}, 0, false, 0}) {}

inspircd_server::inspircd_server(options o) : options_(std::move(o)) {
  start();
}

inspircd_server::~inspircd_server() {
  stop();
}

void inspircd_server::start() {
  dir_ = fs::temp_directory_path() /
         ("tweetup-inspircd-" + std::to_string(::getpid()) + "-" + std::to_string(counter()));
  fs::remove_all(dir_);
  fs::create_directories(dir_);
  const bool tls = !options_.tls_cert_pem.empty();
  if (!tls) options_.wss_port = 0;
  if (!options_.stock_flood_listener) options_.stock_ws_port = 0;
  std::vector<int> ports;
  const auto pick = [&ports](int& port) {
    while (port == 0 || std::find(ports.begin(), ports.end(), port) != ports.end())
      port = free_loopback_port();
    ports.push_back(port);
  };
  pick(options_.client_port);
  pick(options_.ws_port);
  if (tls) pick(options_.wss_port);
  if (options_.stock_flood_listener) pick(options_.stock_ws_port);

  const fs::path cert = dir_ / "cert.pem";
  const fs::path key = dir_ / "key.pem";
  if (tls) {
    std::ofstream(cert) << options_.tls_cert_pem;
    std::ofstream(key) << options_.tls_key_pem;
  }
  const auto bind = [](int port, const char* extra) {
    return "<bind address=\"127.0.0.1\" port=\"" + std::to_string(port) + "\" type=\"clients\"" +
           extra + ">\n";
  };
  const fs::path config = dir_ / "inspircd.conf";
  {
    std::ofstream out(config);
    out << "<config format=\"xml\">\n"
        << "<server name=\"irc.test.local\" description=\"Tweetup test server\" "
           "network=\"TestNet\">\n"
        << "<admin name=\"Test\" nick=\"test\" email=\"test@test.local\">\n"
        << "<module name=\"sha1\">\n"  // m_websocket needs it
        << "<module name=\"websocket\">\n"
        << "<module name=\"cap\">\n";
    if (options_.echo_message)
      out << "<module name=\"ircv3\">\n"
          << "<module name=\"ircv3_echomessage\">\n";
    out << "<websocket defaultmode=\"text\">\n"
        << "<wsorigin allow=\"*\">\n"
        // The default, written out: the nick-in-use test relies on it.
        << "<limits maxnick=\"30\">\n"
        << bind(options_.client_port, "") << bind(options_.ws_port, " hook=\"websocket\"");
    if (tls) {
      out << "<module name=\"ssl_gnutls\">\n"
          << bind(options_.wss_port, " hook=\"websocket\" sslprofile=\"tweetup\"")
          << "<sslprofile name=\"tweetup\" provider=\"gnutls\" certfile=\"" << cert.string()
          << "\" keyfile=\"" << key.string()
          << "\" dhfile=\"\" hash=\"sha256\" requestclientcert=\"no\">\n";
    }
    // The first class that matches a connection is its class, so the port-bound one comes
    // first.
    if (options_.stock_flood_listener) {
      out << bind(options_.stock_ws_port, " hook=\"websocket\"")
          << "<connect name=\"stock\" allow=\"127.0.0.1\" port=\"" << options_.stock_ws_port
          << "\" threshold=\"10\" commandrate=\"1000\" fakelag=\"yes\" recvq=\"10240\" "
             "softsendq=\"10240\" hardsendq=\"1048576\" pingfreq=\"120\" timeout=\"20\" "
             "maxchans=\"20\" localmax=\"200\" globalmax=\"200\" resolvehostnames=\"no\" "
             "useident=\"no\" limit=\"5000\">\n";
    }
    out << "<connect name=\"test\" allow=\"127.0.0.1\" threshold=\"1000000\" "
           "commandrate=\"1000000000\" fakelag=\"no\" recvq=\"1048576\" softsendq=\"16777216\" "
           "hardsendq=\"16777216\" pingfreq=\"120\" timeout=\"20\" maxchans=\"50\" "
           "localmax=\"200\" globalmax=\"200\" resolvehostnames=\"no\" useident=\"no\" "
           "limit=\"5000\">\n"
        << "<log method=\"file\" type=\"* -USERINPUT -USEROUTPUT\" level=\"default\" target=\""
        << (dir_ / "ircd.log").string() << "\">\n"
        << "<security hideserver=\"\" runasuser=\"\" runasgroup=\"\">\n"
        << "<performance somaxconn=\"128\" softlimit=\"1024\" clonesonconnect=\"no\">\n";
  }

  const std::string config_path = config.string();
  const std::string output_path = (dir_ / "output.txt").string();
  const std::string dir = dir_.string();
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork() failed");
  if (pid_ == 0) {
    // No core files (it may crash on shutdown, protocols.md §2.7 #13), run from the scratch dir.
    const rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    if (::chdir(dir.c_str()) != 0) ::_exit(126);
    const int out = ::open(output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int null = ::open("/dev/null", O_RDONLY);
    if (out >= 0) {
      ::dup2(out, 1);
      ::dup2(out, 2);
    }
    if (null >= 0) ::dup2(null, 0);
    ::execl(binary, binary, "--config", config_path.c_str(), "--nofork", "--nopid", "--runasroot",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }

  // Poll for the listeners: at most 500 tries, 10 ms apart (5 s).
  std::size_t listening = 0;
  for (int attempt = 0; attempt < 500; ++attempt) {
    while (listening < ports.size() && accepts_connections(ports[listening]))
      ++listening;
    if (listening == ports.size()) return;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      const std::string text = output();
      fs::remove_all(dir_);
      throw std::runtime_error("inspircd exited at startup:\n" + text);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const std::string text = output();
  stop();
  throw std::runtime_error("inspircd did not listen within 5 s:\n" + text);
}

void inspircd_server::stop() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    bool gone = false;
    for (int attempt = 0; attempt < 500 && !gone; ++attempt) {  // up to 5 s
      int status = 0;
      gone = ::waitpid(pid_, &status, WNOHANG) == pid_;
      if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!gone) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    pid_ = -1;
  }
  std::error_code ignored;
  if (!dir_.empty()) fs::remove_all(dir_, ignored);
}

std::string inspircd_server::ws_url() const {
  return "ws://127.0.0.1:" + std::to_string(options_.ws_port) + "/";
}

std::string inspircd_server::wss_url(const std::string& host) const {
  return "wss://" + host + ":" + std::to_string(options_.wss_port) + "/";
}

std::string inspircd_server::stock_ws_url() const {
  return "ws://127.0.0.1:" + std::to_string(options_.stock_ws_port) + "/";
}

std::string inspircd_server::output() const {
  return read_file(dir_ / "output.txt") + read_file(dir_ / "ircd.log");
}

}  // namespace tweetup::testing
