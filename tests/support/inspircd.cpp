#include "support/inspircd.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace fs = std::filesystem;

namespace tweetup::testing {
namespace {

sockaddr_in loopback(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

// A port nobody listens on right now: bind port 0 and see what the kernel picked.
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in address = loopback(0);
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot find a free loopback port");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

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
    : client_port_(client_port), ws_port_(ws_port) {
  dir_ = fs::temp_directory_path() /
         ("tweetup-inspircd-" + std::to_string(::getpid()) + "-" + std::to_string(counter()));
  fs::remove_all(dir_);
  fs::create_directories(dir_);
  if (client_port_ == 0) client_port_ = free_port();
  while (ws_port_ == 0 || ws_port_ == client_port_)
    ws_port_ = free_port();

  const fs::path config = dir_ / "inspircd.conf";
  {
    std::ofstream out(config);
    out << "<config format=\"xml\">\n"
        << "<server name=\"irc.test.local\" description=\"Tweetup test server\" "
           "network=\"TestNet\">\n"
        << "<admin name=\"Test\" nick=\"test\" email=\"test@test.local\">\n"
        << "<bind address=\"127.0.0.1\" port=\"" << client_port_ << "\" type=\"clients\">\n"
        << "<bind address=\"127.0.0.1\" port=\"" << ws_port_
        << "\" type=\"clients\" hook=\"websocket\">\n"
        << "<module name=\"sha1\">\n"  // m_websocket needs it
        << "<module name=\"websocket\">\n"
        << "<module name=\"cap\">\n"
        << "<websocket defaultmode=\"text\">\n"
        << "<wsorigin allow=\"*\">\n"
        // Every test client is 127.0.0.1: no per-IP limit, no DNS, no flood penalties.
        << "<connect name=\"test\" allow=\"127.0.0.1\" localmax=\"200\" globalmax=\"200\" "
           "threshold=\"1000\" commandrate=\"100000\" fakelag=\"no\" resolvehostnames=\"no\" "
           "useident=\"no\" pingfreq=\"120\" timeout=\"20\" maxchans=\"20\" recvq=\"8192\" "
           "softsendq=\"8192\" hardsendq=\"1048576\" limit=\"5000\">\n"
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

  // Poll for the listener: at most 500 tries, 10 ms apart (5 s).
  for (int attempt = 0; attempt < 500; ++attempt) {
    if (accepts_connections(ws_port_)) return;
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

inspircd_server::~inspircd_server() {
  stop();
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
  return "ws://127.0.0.1:" + std::to_string(ws_port_) + "/";
}

std::string inspircd_server::output() const {
  return read_file(dir_ / "output.txt") + read_file(dir_ / "ircd.log");
}

}  // namespace tweetup::testing
