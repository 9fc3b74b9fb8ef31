// The IRC bot end to end: a real InspIRCd on loopback, the real `tweetup` binary speaking IRC
// over WebSocket to it, and test peers speaking plain IRC over TCP in the same channel.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

#include "support/child_process.hpp"
#include "support/inspircd.hpp"

namespace fs = std::filesystem;
using tweetup::testing::child_process;
using tweetup::testing::inspircd_server;
using tweetup::testing::process_result;

namespace {

using steady = std::chrono::steady_clock;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// A fresh folder per test, removed afterwards.
struct scratch_dir {
  fs::path path;
  scratch_dir() {
    path = fs::temp_directory_path() / ("tweetup-irc-" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~scratch_dir() { fs::remove_all(path); }
};

// A plain IRC client over TCP, line by line. Answers PING by itself and keeps every line it
// received in `transcript` for failure messages.
class irc_peer {
 public:
  irc_peer(int port, std::string nick) : nick_(std::move(nick)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
      throw std::runtime_error("cannot connect to the IRC server");
    send("NICK " + nick_);
    send("USER " + nick_ + " 0 * :" + nick_);
  }
  ~irc_peer() {
    if (fd_ >= 0) ::close(fd_);
  }
  irc_peer(const irc_peer&) = delete;
  irc_peer& operator=(const irc_peer&) = delete;

  void send(const std::string& line) {
    const std::string bytes = line + "\r\n";
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
      if (n <= 0) throw std::runtime_error("send to the IRC server failed");
      done += static_cast<std::size_t>(n);
    }
  }

  // The first line received from now on that satisfies `match`, within `limit`.
  std::optional<std::string> wait_for(const std::function<bool(const std::string&)>& match,
                                      std::chrono::milliseconds limit) {
    const auto deadline = steady::now() + limit;
    for (;;) {
      while (auto line = take_line()) {
        transcript += *line + "\n";
        if (line->starts_with("PING ")) {
          send("PONG " + line->substr(5));
          continue;
        }
        if (match(*line)) return line;
      }
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char chunk[4096];
      const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) return std::nullopt;
      pending_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  // Waits for 001, then joins `channel` and waits for the server's echo of the JOIN.
  bool register_and_join(const std::string& channel) {
    if (!wait_for([](const std::string& l) { return contains(l, " 001 "); },
                  std::chrono::seconds(10)))
      return false;
    send("JOIN " + channel);
    const std::string echo = ":" + nick_ + "!";
    return wait_for(
               [&](const std::string& l) {
                 return l.starts_with(echo) && contains(l, " JOIN ") && contains(l, channel);
               },
               std::chrono::seconds(10))
        .has_value();
  }

  std::string transcript;

 private:
  std::optional<std::string> take_line() {
    const auto end = pending_.find('\n');
    if (end == std::string::npos) return std::nullopt;
    std::string line = pending_.substr(0, end);
    pending_.erase(0, end + 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }

  std::string nick_;
  int fd_ = -1;
  std::string pending_;
};

// A PRIVMSG from the bot to #tweetup that contains `text`.
std::function<bool(const std::string&)> bot_says(const std::string& text) {
  return [text](const std::string& l) {
    return l.starts_with(":tweetbot!") && contains(l, " PRIVMSG #tweetup :") && contains(l, text);
  };
}

}  // namespace

TEST_CASE("the bot serves an IRC channel over WebSocket (InspIRCd)") {
  if (!inspircd_server::installed()) {
    MESSAGE("inspircd is not installed (apt-get install inspircd); skipping the IRC test");
    return;
  }
  std::optional<inspircd_server> server;
  server.emplace();
  INFO("server output:\n" << (server ? server->output() : std::string()));
  scratch_dir dir;

  irc_peer alice(server->client_port(), "alice");
  REQUIRE(alice.register_and_join("#tweetup"));

  const std::map<std::string, std::string> env{{"TWEETUP_ADAPTER", "irc"},
                                               {"TWEETUP_IRC_URL", server->ws_url()},
                                               {"TWEETUP_IRC_NICK", "tweetbot"},
                                               {"TWEETUP_IRC_CHANNELS", "#tweetup"},
                                               {"TWEETUP_DEFAULT_TIMEZONE", "America/Chicago"},
                                               {"TWEETUP_LOG_LEVEL", "info"},
                                               {"TZ", "Pacific/Kiritimati"}};
  child_process bot(TWEETUP_BINARY, {"run", "--db", (dir.path / "tweetup.db").string()}, env);

  // The bot registers (InspIRCd takes ~1 s) and joins.
  const auto joined = alice.wait_for(
      [](const std::string& l) { return l.starts_with(":tweetbot!") && contains(l, " JOIN "); },
      std::chrono::seconds(20));
  INFO("alice saw:\n" << alice.transcript);
  REQUIRE(joined);

  alice.send("PRIVMSG #tweetup :!tweetup Starbucks Alabaster tomorrow 3pm");
  const auto created =
      alice.wait_for(bot_says("Tweetup #1 Starbucks Alabaster"), std::chrono::seconds(15));
  REQUIRE(created);

  irc_peer bob(server->client_port(), "bob");
  REQUIRE(bob.register_and_join("#tweetup"));
  INFO("bob saw:\n" << bob.transcript);
  bob.send("PRIVMSG #tweetup :!join 1");
  CHECK(bob.wait_for(bot_says("You're going to #1 Starbucks Alabaster"), std::chrono::seconds(15)));

  bob.send("PRIVMSG #tweetup :!tweetup info 1");
  CHECK(bob.wait_for(bot_says("Going: alice, bob"), std::chrono::seconds(15)));

  // The server goes away and comes back on the same ports: the bot reconnects by itself (with
  // backoff) and rejoins, and the data is still there.
  const int client_port = server->client_port();
  const int ws_port = server->ws_port();
  server.reset();
  server.emplace(client_port, ws_port);
  irc_peer carol(client_port, "carol");
  REQUIRE(carol.register_and_join("#tweetup"));
  INFO("carol saw:\n" << carol.transcript);
  bool back = false;
  for (int attempt = 0; attempt < 30 && !back; ++attempt) {
    carol.send("NAMES #tweetup");
    back = carol
               .wait_for(
                   [](const std::string& l) {
                     return (contains(l, " 353 ") && contains(l, "tweetbot")) ||
                            (l.starts_with(":tweetbot!") && contains(l, " JOIN "));
                   },
                   std::chrono::seconds(1))
               .has_value();
  }
  REQUIRE(back);
  carol.send("PRIVMSG #tweetup :!tweetup info 1");
  CHECK(carol.wait_for(bot_says("Going: alice, bob"), std::chrono::seconds(15)));

  bot.send_signal(SIGTERM);
  const process_result result = bot.finish();
  INFO("bot stderr:\n" << result.err);
  CHECK(result.exit_code == 0);
  CHECK(contains(result.err, "reconnecting"));
  // It said goodbye with QUIT before closing the WebSocket.
  CHECK(carol.wait_for(
      [](const std::string& l) { return l.starts_with(":tweetbot!") && contains(l, " QUIT"); },
      std::chrono::seconds(5)));
}
