// The IRC bot end to end: a real InspIRCd on loopback, the real `tweetup` binary speaking IRC
// over WebSocket (ws:// and wss://) to it, and test peers speaking plain IRC over TCP in the
// same channels. Nothing sleeps to synchronise: every wait is on a condition with a deadline.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "support/child_process.hpp"
#include "support/inspircd.hpp"
#include "support/loopback.hpp"
#include "support/require_inspircd.hpp"
#include "support/socket_backlog.hpp"
#include "support/tls_test_certs.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using tweetup::testing::child_process;
using tweetup::testing::inspircd_server;
using tweetup::testing::loopback;
using tweetup::testing::process_result;
using tweetup::testing::require_inspircd;

namespace {

using steady = std::chrono::steady_clock;

// A server that also serves wss:// with `certificate` (made at test time for "localhost").
inspircd_server::options serving_wss(const tweetup::testing::certificate_file& certificate) {
  inspircd_server::options o;
  o.tls_cert_pem = certificate.pem.cert;
  o.tls_key_pem = certificate.pem.key;
  return o;
}

// A server with IRCv3 echo-message, as most networks have.
inspircd_server::options echoing_server() {
  inspircd_server::options o;
  o.echo_message = true;
  return o;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::size_t count_of(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + needle.size()))
    ++n;
  return n;
}

// Well-formed UTF-8 (Unicode §3.9 table 3-7): no overlongs, surrogates or values past U+10FFFF.
bool valid_utf8(const std::string& text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char c = byte(i);
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;
    if (c < 0x80) {
      length = 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      if (c == 0xE0) low = 0xA0;
      if (c == 0xED) high = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      if (c == 0xF0) low = 0x90;
      if (c == 0xF4) high = 0x8F;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const unsigned char lo = k == 1 ? low : 0x80;
      const unsigned char hi = k == 1 ? high : 0xBF;
      if (byte(i + k) < lo || byte(i + k) > hi) return false;
    }
    i += length;
  }
  return true;
}

int counter() {
  static int n = 0;
  return n++;
}

// A fresh folder per use, removed afterwards.
struct scratch_dir {
  fs::path path;
  scratch_dir() {
    path = fs::temp_directory_path() /
           ("tweetup-irc-" + std::to_string(::getpid()) + "-" + std::to_string(counter()));
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
    const sockaddr_in address = loopback(port);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
      throw std::runtime_error("cannot connect to the IRC server");
    send("NICK " + nick_);
    send("USER " + nick_ + " 0 * :" + nick_);
  }
  ~irc_peer() {
    if (fd_ >= 0) ::close(fd_);
  }
  irc_peer(const irc_peer&) = delete;
  irc_peer& operator=(const irc_peer&) = delete;

  void send(const std::string& line) { send_raw(line + "\r\n"); }

  // Several lines in one write, so the server reads them as one burst.
  void send_burst(const std::vector<std::string>& lines) {
    std::string bytes;
    for (const auto& line : lines)
      bytes += line + "\r\n";
    send_raw(bytes);
  }

  // The first line received from now on that satisfies `match`, within `limit`.
  std::optional<std::string> wait_for(const std::function<bool(const std::string&)>& match,
                                      std::chrono::milliseconds limit) {
    std::optional<std::string> found;
    collect(
        [&](const std::string& line) {
          if (match(line)) found = line;
          return found.has_value();
        },
        limit);
    return found;
  }

  // Feeds every line received from now on to `take` until it returns true (then true) or
  // `limit` passes (then false).
  bool collect(const std::function<bool(const std::string&)>& take,
               std::chrono::milliseconds limit) {
    const auto deadline = steady::now() + limit;
    for (;;) {
      while (auto line = take_line()) {
        transcript += *line + "\n";
        if (line->starts_with("PING ")) {
          send("PONG " + line->substr(5));
          continue;
        }
        if (take(*line)) return true;
      }
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char chunk[16384];
      const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) return false;
      pending_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  // Waits for 001, then joins each channel and waits for the server's echo of each JOIN.
  bool register_and_join(const std::vector<std::string>& channels) {
    if (!wait_for([](const std::string& l) { return contains(l, " 001 "); }, 10s)) return false;
    for (const auto& channel : channels) {
      send("JOIN " + channel);
      const std::string echo = ":" + nick_ + "!";
      if (!wait_for(
              [&](const std::string& l) {
                return l.starts_with(echo) && contains(l, " JOIN ") && contains(l, channel);
              },
              10s))
        return false;
    }
    return true;
  }
  bool register_and_join(const std::string& channel) {
    return register_and_join(std::vector<std::string>{channel});
  }

  std::string transcript;

 private:
  void send_raw(const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
      if (n <= 0) throw std::runtime_error("send to the IRC server failed");
      done += static_cast<std::size_t>(n);
    }
  }

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

// A PRIVMSG from `nick` to `channel`: its text, or nothing.
std::optional<std::string> privmsg_text(const std::string& line, const std::string& nick,
                                        const std::string& channel) {
  const std::string head = " PRIVMSG " + channel + " :";
  if (!line.starts_with(":" + nick + "!")) return std::nullopt;
  const auto at = line.find(head);
  if (at == std::string::npos || line.find(' ') != at) return std::nullopt;
  return line.substr(at + head.size());
}

// A PRIVMSG from the bot `nick` to `channel` that contains `text`.
std::function<bool(const std::string&)> says(const std::string& nick, const std::string& channel,
                                             const std::string& text) {
  return [=](const std::string& l) {
    const auto said = privmsg_text(l, nick, channel);
    return said && contains(*said, text);
  };
}

std::function<bool(const std::string&)> bot_says(const std::string& text) {
  return says("tweetbot", "#tweetup", text);
}

std::function<bool(const std::string&)> joins(const std::string& nick, const std::string& channel) {
  return [=](const std::string& l) {
    return l.starts_with(":" + nick + "!") && contains(l, " JOIN ") && contains(l, channel);
  };
}

// A QUIT of `nick`; with a reason, only that one: the bot's own goodbye, not the QUIT a server
// makes up when a connection ends under it ("Connection closed").
std::function<bool(const std::string&)> quits(const std::string& nick,
                                              const std::string& reason = "") {
  return [=](const std::string& l) {
    return l.starts_with(":" + nick + "!") && contains(l, " QUIT") &&
           (reason.empty() || contains(l, " QUIT :" + reason));
  };
}

// The environment of a bot serving `channels` (comma-separated) at `url` as `nick`.
std::map<std::string, std::string> bot_env(const std::string& url, const std::string& nick,
                                           const std::string& channels) {
  return {{"TWEETUP_ADAPTER", "irc"},    {"TWEETUP_IRC_URL", url},
          {"TWEETUP_IRC_NICK", nick},    {"TWEETUP_IRC_CHANNELS", channels},
          {"TWEETUP_TLS_CA_FILE", ""},   {"TWEETUP_DEFAULT_TIMEZONE", "America/Chicago"},
          {"TWEETUP_LOG_LEVEL", "info"}, {"TZ", "Pacific/Kiritimati"}};
}

child_process start_bot(const scratch_dir& dir, const std::string& name,
                        const std::map<std::string, std::string>& env) {
  return child_process(TWEETUP_BINARY, {"run", "--db", (dir.path / (name + ".db")).string()}, env);
}

// SIGTERM, then the bot's output once it has ended; it must end well (exit code 0).
process_result stop_bot(child_process& bot) {
  bot.send_signal(SIGTERM);
  process_result result = bot.finish();
  CHECK_MESSAGE(result.exit_code == 0, "bot stderr:\n" << result.err);
  return result;
}

// Waits until the bot's log satisfies `done`, within `limit`. child_process::wait_for has no
// deadline of its own, so a watchdog kills the bot when the limit passes: its pipes then close
// and the wait ends. Returns false in that case.
bool wait_for_log(child_process& bot, const std::function<bool(const std::string&)>& done,
                  std::chrono::milliseconds limit) {
  std::mutex mutex;
  std::condition_variable finished_changed;
  bool finished = false;
  bool expired = false;
  std::thread watchdog([&] {
    std::unique_lock lock(mutex);
    if (!finished_changed.wait_for(lock, limit, [&] { return finished; })) {
      expired = true;
      bot.send_signal(SIGKILL);
    }
  });
  const bool ok =
      bot.wait_for([&](const std::string&, const std::string& err) { return done(err); });
  {
    std::lock_guard lock(mutex);
    finished = true;
  }
  finished_changed.notify_one();
  watchdog.join();
  return ok && !expired;
}

// "reconnecting to IRC in N ms", each N in the order logged.
std::vector<long> reconnect_delays(const std::string& log) {
  std::vector<long> delays;
  const std::string marker = "reconnecting to IRC in ";
  for (auto at = log.find(marker); at != std::string::npos; at = log.find(marker, at + 1))
    delays.push_back(std::stol(log.substr(at + marker.size())));
  return delays;
}

// `unit` repeated until the text has at least `bytes` bytes, then `tail`.
std::string long_place(const std::string& unit, std::size_t bytes, const std::string& tail) {
  std::string out;
  while (out.size() < bytes)
    out += unit;
  return out + tail;
}

// A loopback TCP listener that answers nothing unless told to: the kernel completes TCP
// handshakes, the test reads what the client sends and, at most, answers the WebSocket upgrade.
class silent_listener {
 public:
  // `receive_buffer`: the accepted connection's SO_RCVBUF in bytes (0: the kernel's default),
  // small for a peer that stops reading, so the client's writes soon wait.
  explicit silent_listener(int receive_buffer = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ >= 0 && receive_buffer > 0)
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    sockaddr_in address = loopback(0);
    socklen_t length = sizeof address;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(fd_, 8) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0)
      throw std::runtime_error("cannot listen on loopback");
    port_ = ntohs(address.sin_port);
  }
  ~silent_listener() {
    if (client_ >= 0) ::close(client_);
    ::close(fd_);
  }
  silent_listener(const silent_listener&) = delete;
  silent_listener& operator=(const silent_listener&) = delete;

  int port() const { return port_; }
  std::string ws_url() const { return "ws://127.0.0.1:" + std::to_string(port_) + "/"; }

  // Accepts the client's connection and completes its WebSocket upgrade: what comes next is
  // IRC. False when no upgrade request came within 15 s.
  bool accept_websocket() {
    const std::string request = accept_and_read(
        [](const std::string& bytes) { return bytes.find("\r\n\r\n") != std::string::npos; },
        std::chrono::seconds(15));
    if (request.empty()) return false;
    accept_upgrade(request);
    return true;
  }
  // Closes the accepted connection, as a server that goes away does.
  void drop_client() {
    if (client_ >= 0) ::close(client_);
    client_ = -1;
  }

  // Bytes sent on the accepted connection that the client has not acknowledged yet.
  int unsent() const {
    int bytes = 0;
    return ::ioctl(client_, SIOCOUTQ, &bytes) == 0 ? bytes : -1;
  }

  // Answers the WebSocket upgrade request `request` (RFC 6455 §4.2.2) and then says nothing
  // more, not even to a close frame.
  void accept_upgrade(const std::string& request) {
    const std::string field = "Sec-WebSocket-Key: ";
    const auto at = request.find(field);
    if (at == std::string::npos) throw std::runtime_error("no Sec-WebSocket-Key");
    const auto start = at + field.size();
    const std::string key = request.substr(start, request.find("\r\n", start) - start) +
                            "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    unsigned char digest[SHA_DIGEST_LENGTH];
    ::SHA1(reinterpret_cast<const unsigned char*>(key.data()), key.size(), digest);
    unsigned char accept[64] = {};
    ::EVP_EncodeBlock(accept, digest, SHA_DIGEST_LENGTH);
    const std::string response =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Accept: " +
        std::string(reinterpret_cast<const char*>(accept)) + "\r\n\r\n";
    if (::send(client_, response.data(), response.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(response.size()))
      throw std::runtime_error("cannot answer the upgrade");
  }

  // Sends `text` as one unmasked text frame (server to client, RFC 6455 §5.2).
  void send_text(const std::string& text) {
    std::string frame = "\x81";
    if (text.size() < 126) {
      frame += static_cast<char>(text.size());
    } else {
      frame += static_cast<char>(126);
      frame += static_cast<char>(text.size() >> 8);
      frame += static_cast<char>(text.size() & 0xFF);
    }
    frame += text;
    if (::send(client_, frame.data(), frame.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(frame.size()))
      throw std::runtime_error("cannot send a frame");
  }

  // The client's WebSocket messages, unmasked, until `enough` holds for them, a close frame
  // comes (returned as "<close>"), the connection ends, or `limit` passes.
  std::vector<std::string> read_messages(
      const std::function<bool(const std::vector<std::string>&)>& enough,
      std::chrono::milliseconds limit) {
    const auto deadline = steady::now() + limit;
    std::vector<std::string> messages;
    std::string bytes;
    for (;;) {
      // Frames from the client (RFC 6455 §5.2): FIN/opcode, MASK/length, masking key, payload.
      while (bytes.size() >= 2) {
        const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(bytes[i]); };
        std::size_t length = byte(1) & 0x7F;
        std::size_t header = 2;
        if (length == 126) {
          if (bytes.size() < 4) break;
          length = (std::size_t{byte(2)} << 8) | byte(3);
          header = 4;
        } else if (length == 127) {
          return messages;  // no IRC line is that long
        }
        if (bytes.size() < header + 4 + length) break;
        std::string payload = bytes.substr(header + 4, length);
        for (std::size_t i = 0; i < payload.size(); ++i)
          payload[i] = static_cast<char>(payload[i] ^ bytes[header + i % 4]);
        const int opcode = byte(0) & 0x0F;
        bytes.erase(0, header + 4 + length);
        if (opcode == 0x8) {
          messages.push_back("<close>");
          return messages;
        }
        messages.push_back(payload);
        if (enough(messages)) return messages;
      }
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
      if (left.count() <= 0) return messages;
      pollfd c{client_, POLLIN, 0};
      if (::poll(&c, 1, static_cast<int>(left.count())) <= 0) continue;
      char chunk[4096];
      const ssize_t n = ::recv(client_, chunk, sizeof chunk, 0);
      if (n <= 0) return messages;
      bytes.append(chunk, static_cast<std::size_t>(n));
    }
  }

  // Accepts one connection and reads from it until `enough` holds for what arrived, within
  // `limit`; returns what arrived (empty on timeout).
  std::string accept_and_read(const std::function<bool(const std::string&)>& enough,
                              std::chrono::milliseconds limit) {
    const auto deadline = steady::now() + limit;
    const auto left = [&] {
      return static_cast<int>(std::max<long>(
          0,
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now()).count()));
    };
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, left()) <= 0) return {};
    client_ = ::accept(fd_, nullptr, nullptr);
    if (client_ < 0) return {};
    std::string received;
    while (!enough(received)) {
      pollfd c{client_, POLLIN, 0};
      if (::poll(&c, 1, left()) <= 0) return {};
      char chunk[4096];
      const ssize_t n = ::recv(client_, chunk, sizeof chunk, 0);
      if (n <= 0) return {};
      received.append(chunk, static_cast<std::size_t>(n));
    }
    return received;
  }

 private:
  int fd_ = -1;
  int client_ = -1;
  int port_ = 0;
};

// InspIRCd, a scratch folder for the bot's database, and alice in `channel`, its operator since
// she came first. Call require_inspircd() before making one; tests take its parts by name:
// `auto& [server, dir, alice] = setup;`.
struct server_with_alice {
  explicit server_with_alice(inspircd_server::options o = {},
                             const std::string& channel = "#tweetup")
      : server(std::move(o)), alice(server.client_port(), "alice") {
    REQUIRE(alice.register_and_join(channel));
  }
  inspircd_server server;
  scratch_dir dir;
  irc_peer alice;
};

// What a server says to register the bot and let it into #tweetup.
void welcome_bot(silent_listener& listener) {
  listener.send_text(":irc.test.local 001 tweetbot :Welcome tweetbot!tweetup@127.0.0.1");
  listener.send_text(":tweetbot!tweetup@127.0.0.1 JOIN :#tweetup");
}

}  // namespace

TEST_CASE("the bot serves an IRC channel over WebSocket (InspIRCd)") {
  require_inspircd();
  std::optional<inspircd_server> server;
  server.emplace(echoing_server());
  INFO("server output:\n" << (server ? server->output() : std::string()));
  scratch_dir dir;

  irc_peer alice(server->client_port(), "alice");
  REQUIRE(alice.register_and_join("#tweetup"));

  child_process bot = start_bot(dir, "tweetup", bot_env(server->ws_url(), "tweetbot", "#tweetup"));

  // The bot registers (InspIRCd takes ~1 s) and joins.
  const auto joined = alice.wait_for(joins("tweetbot", "#tweetup"), 20s);
  INFO("alice saw:\n" << alice.transcript);
  REQUIRE(joined);

  alice.send("PRIVMSG #tweetup :!tweetup Starbucks Alabaster tomorrow 3pm");
  const auto created = alice.wait_for(bot_says("Tweetup #1 Starbucks Alabaster"), 15s);
  REQUIRE(created);

  irc_peer bob(server->client_port(), "bob");
  REQUIRE(bob.register_and_join("#tweetup"));
  INFO("bob saw:\n" << bob.transcript);
  bob.send("PRIVMSG #tweetup :!join 1");
  CHECK(bob.wait_for(bot_says("You're going to #1 Starbucks Alabaster"), 15s));

  bob.send("PRIVMSG #tweetup :!tweetup info 1");
  CHECK(bob.wait_for(bot_says("Going: alice, bob"), 15s));

  // The server goes away and comes back on the same ports: the bot reconnects by itself (with
  // backoff) and rejoins, and the data is still there.
  const inspircd_server::options same = server->used();
  server.reset();
  server.emplace(same);
  irc_peer carol(server->client_port(), "carol");
  REQUIRE(carol.register_and_join("#tweetup"));
  INFO("carol saw:\n" << carol.transcript);
  bool back = false;
  for (int attempt = 0; attempt < 30 && !back; ++attempt) {
    carol.send("NAMES #tweetup");
    back = carol
               .wait_for(
                   [](const std::string& l) {
                     return (contains(l, " 353 ") && contains(l, "tweetbot")) ||
                            joins("tweetbot", "#tweetup")(l);
                   },
                   1s)
               .has_value();
  }
  REQUIRE(back);
  carol.send("PRIVMSG #tweetup :!tweetup info 1");
  CHECK(carol.wait_for(bot_says("Going: alice, bob"), 15s));

  const process_result result = stop_bot(bot);
  INFO("bot stderr:\n" << result.err);
  CHECK(contains(result.err, "reconnecting"));
  // It said goodbye with QUIT before closing the WebSocket.
  CHECK(carol.wait_for(quits("tweetbot", "Tweetup signing off"), 5s));
}

namespace {

// InspIRCd with #tweetup, in which alice came first (so she is its operator), then a member,
// then the bot. Call require_inspircd() before making one.
struct operator_and_member {
  explicit operator_and_member(const std::string& member_nick,
                               inspircd_server::options server_options = {})
      : server(std::move(server_options)),
        alice(server.client_port(), "alice"),
        member(server.client_port(), member_nick) {
    REQUIRE(joined);
    REQUIRE(alice.wait_for(joins("tweetbot", "#tweetup"), 20s));
  }
  void stop_bot() { ::stop_bot(bot); }
  // What the server said and each peer saw, for a failure's message.
  std::string seen() const {
    return "server output:\n" + server.output() + "\nalice saw:\n" + alice.transcript +
           "\nthe member saw:\n" + member.transcript;
  }

  inspircd_server server;
  scratch_dir dir;
  irc_peer alice;
  irc_peer member;
  bool joined = alice.register_and_join("#tweetup") && member.register_and_join("#tweetup");
  child_process bot = start_bot(dir, "tweetup", bot_env(server.ws_url(), "tweetbot", "#tweetup"));
};

}  // namespace

TEST_CASE("a nick that changes only its case is the same person: the organizer keeps the rights") {
  require_inspircd();
  operator_and_member irc("Bob");
  INFO(irc.seen());
  irc.member.send("PRIVMSG #tweetup :!tweetup Starbucks Alabaster tomorrow 3pm");
  REQUIRE(irc.member.wait_for(bot_says("Tweetup #1 Starbucks Alabaster"), 15s));
  // To the server "Bob" and "bob" are one nick (CASEMAPPING); so they are to the bot.
  irc.member.send("NICK bob");
  irc.member.send("PRIVMSG #tweetup :!tweetup cancel 1");
  CHECK(irc.member.wait_for(bot_says("is cancelled"), 15s));
  irc.stop_bot();
}

TEST_CASE("a command sent to the channel's operators (@#chan) is answered to them alone") {
  require_inspircd();
  operator_and_member irc("bob");
  irc_peer& alice = irc.alice;
  irc_peer& bob = irc.member;
  INFO(irc.seen());
  // Only operators hear what is sent to @#tweetup, so the bot must be one to hear it.
  alice.send("MODE #tweetup +o tweetbot");
  REQUIRE(alice.wait_for(
      [](const std::string& l) { return contains(l, " MODE #tweetup +o :tweetbot"); }, 5s));

  alice.send("PRIVMSG @#tweetup :!tweetups");
  CHECK(alice.wait_for(says("tweetbot", "@#tweetup", "No tweetups planned here yet"), 15s));
  // Then one to everyone: bob sees that one alone (the bot's lines reach him in order).
  bob.send("PRIVMSG #tweetup :!tweetups");
  CHECK(bob.wait_for(bot_says("No tweetups planned here yet"), 15s));
  CHECK_FALSE(contains(bob.transcript, "@#tweetup"));
  // A new tweetup is for everyone, wherever it was asked for: its announcement goes to all.
  alice.send("PRIVMSG @#tweetup :!tweetup Starbucks Alabaster tomorrow 3pm");
  CHECK(bob.wait_for(bot_says("Tweetup #1 Starbucks Alabaster"), 15s));
  irc.stop_bot();
}

TEST_CASE("an invite-only channel: the bot says why it cannot join, and joins when invited") {
  require_inspircd();
  server_with_alice setup;
  auto& [server, dir, alice] = setup;
  INFO("server output:\n" << server.output());
  INFO("alice saw:\n" << alice.transcript);
  alice.send("MODE #tweetup +i");
  REQUIRE(
      alice.wait_for([](const std::string& l) { return contains(l, " MODE #tweetup :+i"); }, 5s));

  child_process bot = start_bot(dir, "tweetup", bot_env(server.ws_url(), "tweetbot", "#tweetup"));
  REQUIRE(wait_for_log(
      bot, [](const std::string& err) { return contains(err, "cannot join #tweetup"); }, 20s));
  // The operator lets it in: it comes at once, not at its next try, and serves the channel.
  alice.send("INVITE tweetbot #tweetup");
  CHECK(alice.wait_for(joins("tweetbot", "#tweetup"), 5s));
  alice.send("PRIVMSG #tweetup :!tweetups");
  CHECK(alice.wait_for(bot_says("No tweetups planned here yet"), 15s));

  const process_result result = stop_bot(bot);
  INFO("bot stderr:\n" << result.err);
  CHECK(contains(result.err, "invited to #tweetup by alice"));
}

TEST_CASE("a notice the server refuses (moderated channel) is not counted sent: it goes later") {
  require_inspircd();
  // The server's echo is what tells the bot a line went out.
  operator_and_member irc("bob", echoing_server());
  irc_peer& alice = irc.alice;
  irc_peer& bob = irc.member;
  INFO(irc.seen());
  alice.send("PRIVMSG #tweetup :!tweetup Starbucks Alabaster tomorrow 3pm");
  REQUIRE(bob.wait_for(bot_says("Tweetup #1 Starbucks Alabaster"), 15s));
  alice.send("PRIVMSG #tweetup :!tweetup limit 1 1");
  REQUIRE(bob.wait_for(bot_says("now has 1 seat"), 15s));
  bob.send("PRIVMSG #tweetup :!join 1");
  REQUIRE(bob.wait_for(bot_says("you're on the waitlist"), 15s));

  // Only operators and voiced members may speak now; the bot is neither. Alice's leave opens
  // the spot, and the notice to bob that it is his is refused (404).
  alice.send("MODE #tweetup +m");
  REQUIRE(bob.wait_for([](const std::string& l) { return contains(l, " MODE #tweetup :+m"); }, 5s));
  alice.send("PRIVMSG #tweetup :!leave 1");
  REQUIRE(wait_for_log(
      irc.bot, [](const std::string& err) { return contains(err, "not confirmed delivered"); },
      20s));

  // Voiced, the bot may speak. The next change wakes its timer, and the notice goes again.
  alice.send("MODE #tweetup +v tweetbot");
  REQUIRE(bob.wait_for([](const std::string& l) { return contains(l, " +v :tweetbot"); }, 5s));
  alice.send("PRIVMSG #tweetup :!tweetup Cafe Royal tomorrow 5pm");
  CHECK(bob.wait_for(bot_says("a spot opened up: you're going to #1 Starbucks Alabaster"), 15s));
  irc.stop_bot();
}

TEST_CASE("with echo-message, commands one after another are answered without a delayed ACK") {
  require_inspircd();
  server_with_alice setup(echoing_server());
  auto& [server, dir, alice] = setup;
  INFO("server output:\n" << server.output());
  INFO("alice saw:\n" << alice.transcript);
  auto env = bot_env(server.ws_url(), "tweetbot", "#tweetup");
  env["TWEETUP_IRC_SEND_RATE"] = "0";  // else the bot's throttle paces replies at one a second
  child_process bot = start_bot(dir, "tweetup", env);
  REQUIRE(alice.wait_for(joins("tweetbot", "#tweetup"), 20s));

  // InspIRCd writes with Nagle's algorithm on. After each reply the server sends the bot its
  // echo, which asks no answer; had the bot left that ACK to the kernel's delayed ACK (40 ms at
  // least on Linux), the server would hold the next command until then. A round trip here
  // takes about 1 ms, so the median of nine stays far under 40 ms even under the sanitizers.
  std::vector<double> trips_ms;
  std::string trips_text;
  for (int i = 0; i < 9; ++i) {
    const auto sent = steady::now();
    alice.send("PRIVMSG #tweetup :!tweetups");
    REQUIRE(alice.wait_for(bot_says("No tweetups planned here yet"), 15s));
    trips_ms.push_back(std::chrono::duration<double, std::milli>(steady::now() - sent).count());
    trips_text += std::to_string(trips_ms.back()) + " ";
  }
  INFO("round trips (ms): " << trips_text);
  std::sort(trips_ms.begin(), trips_ms.end());
  CHECK(trips_ms[trips_ms.size() / 2] < 25.0);
  stop_bot(bot);
}

TEST_CASE("a command that arrives with SIGTERM is committed and answered before the QUIT") {
  require_inspircd();
  operator_and_member irc("bob");
  INFO(irc.seen());
  // The bot, idle in the channel, is frozen while the command reaches its socket and the signal
  // is sent. On waking, its event loop finds the socket ready before the signal's pipe (epoll
  // lists them in the order they became ready), so it reads the command, then hears the signal
  // while the command is still being committed. Idle: it has answered a first command, so it
  // has read all that came before (lines it had read but not handled would queue behind the
  // signal).
  irc.member.send("PRIVMSG #tweetup :!tweetups");
  REQUIRE(irc.member.wait_for(bot_says("No tweetups planned here yet"), 15s));
  irc.bot.send_signal(SIGSTOP);
  irc.member.send("PRIVMSG #tweetup :!tweetup Last Orders Pub tomorrow 3pm");
  // Relayed by InspIRCd in its own time: the test waits until the kernel holds it for the bot.
  const auto relayed = steady::now() + 10s;
  while (tweetup::testing::unread_tcp_bytes(irc.bot.pid()) == 0 && steady::now() < relayed)
    std::this_thread::yield();
  REQUIRE(tweetup::testing::unread_tcp_bytes(irc.bot.pid()) > 0);
  irc.bot.send_signal(SIGTERM);
  irc.bot.send_signal(SIGCONT);
  // Its own QUIT, not one the server made up when the connection closed under it.
  const bool quit = irc.alice.wait_for(quits("tweetbot", "Tweetup signing off"), 10s).has_value();
  const process_result result = irc.bot.finish();
  INFO("bot stderr:\n" << result.err);
  INFO("alice saw at the end:\n" << irc.alice.transcript);
  CHECK(quit);
  CHECK(result.exit_code == 0);
  // Taken in, so answered (the throttle lets it out within the grace), and only then QUIT.
  const std::string& seen = irc.alice.transcript;
  const auto answer = seen.find("PRIVMSG #tweetup :Tweetup #1 Last Orders Pub");
  CHECK(answer != std::string::npos);
  CHECK(answer < seen.find(":tweetbot!tweetup@127.0.0.1 QUIT"));
  CHECK_FALSE(contains(result.err, "unanswered"));
}

TEST_CASE("wss://: the bot verifies the server's self-signed certificate through tls.ca_file") {
  require_inspircd();
  const auto& certificate = tweetup::testing::localhost_certificate();
  server_with_alice setup(serving_wss(certificate));
  auto& [server, dir, alice] = setup;
  INFO("server output:\n" << server.output());

  // By host name, so the bot sends SNI and checks the name against the certificate's DNS entry.
  auto env = bot_env(server.wss_url("localhost"), "tweetbot", "#tweetup");
  env["TWEETUP_TLS_CA_FILE"] = certificate.path.string();
  child_process bot = start_bot(dir, "tweetup", env);

  INFO("alice saw:\n" << alice.transcript);
  REQUIRE(alice.wait_for(joins("tweetbot", "#tweetup"), 20s));
  alice.send("PRIVMSG #tweetup :!tweetup Starbucks Alabaster tomorrow 3pm");
  CHECK(alice.wait_for(bot_says("Tweetup #1 Starbucks Alabaster"), 15s));
  alice.send("PRIVMSG #tweetup :!tweetup info 1");
  CHECK(alice.wait_for(bot_says("Going: alice"), 15s));

  const auto signalled = steady::now();
  const process_result result = stop_bot(bot);
  INFO("bot stderr:\n" << result.err);
  // The server drops the TLS connection after QUIT without closing TLS: nothing may wait for
  // that beyond the shutdown grace.
  CHECK(steady::now() - signalled < 5s);
  CHECK_FALSE(contains(result.err, "shutdown took longer"));
  CHECK(contains(result.err, "connected to " + server.wss_url("localhost")));
  CHECK_FALSE(contains(result.err, "cannot connect"));
  CHECK(alice.wait_for(quits("tweetbot", "Tweetup signing off"), 5s));
}

TEST_CASE("wss:// to an untrusted certificate fails, says why, and retries with backoff") {
  require_inspircd();
  const auto& certificate = tweetup::testing::localhost_certificate();
  inspircd_server server(serving_wss(certificate));
  INFO("server output:\n" << server.output());
  scratch_dir dir;

  // No tls.ca_file: the self-signed certificate is not in the system's trust store.
  child_process bot =
      start_bot(dir, "tweetup", bot_env(server.wss_url("localhost"), "tweetbot", "#tweetup"));
  const std::string failure = "cannot connect to " + server.wss_url("localhost");
  const auto failures = [&](std::size_t n) {
    return [&failure, n](const std::string& log) { return count_of(log, failure) >= n; };
  };
  // Backoff: 1 s, 2 s, 4 s… times 0.5 to 1.5, so three failures take at least 1.5 s.
  REQUIRE(wait_for_log(bot, failures(1), 15s));
  const auto first = steady::now();
  REQUIRE(wait_for_log(bot, failures(3), 20s));
  const auto third = steady::now();

  bot.send_signal(SIGTERM);
  const auto stopping = steady::now();
  const process_result result = bot.finish();
  const auto stopped = steady::now();
  INFO("bot stderr:\n" << result.err);
  CHECK(result.exit_code == 0);
  // One warning per attempt, naming the URL, what failed and why, and what to do about it.
  const auto found = result.err.find(failure);
  REQUIRE(found != std::string::npos);
  const auto line_start = result.err.rfind('\n', found) + 1;  // npos + 1 == 0
  const std::string line = result.err.substr(line_start, result.err.find('\n', found) - line_start);
  CHECK_MESSAGE(contains(line, " warning [irc] "), line);
  CHECK_MESSAGE(contains(line, "TLS handshake with localhost:"), line);
  CHECK_MESSAGE(contains(line, "self-signed certificate"), line);
  CHECK_MESSAGE(contains(line, "certificate verify failed"), line);
  CHECK_MESSAGE(contains(line, "tls.ca_file"), line);
  // Not spinning: the third failure came at least 1.5 s after the first (less 0.1 s for how
  // the test notices them), and the delays doubled.
  CHECK(third - first >= 1400ms);
  const std::vector<long> delays = reconnect_delays(result.err);
  INFO("delays: " << [&] {
    std::string s;
    for (const long d : delays)
      s += std::to_string(d) + " ";
    return s;
  }());
  REQUIRE(delays.size() >= 3);
  for (std::size_t k = 0; k < 3; ++k) {
    const long base = 1000L << k;
    CHECK(delays[k] >= base / 2);
    CHECK(delays[k] <= base * 3 / 2);
  }
  // It never got as far as registering, and stopped promptly while waiting to retry.
  CHECK_FALSE(contains(result.err, "registered on IRC"));
  CHECK(stopped - stopping < 3s);
}

TEST_CASE(
    "a nick already in use: the bot takes irc.alt_nicks, else the _ rule, and still answers") {
  require_inspircd();
  inspircd_server server;
  INFO("server output:\n" << server.output());
  scratch_dir dir;

  // The nicks are taken before any bot connects. InspIRCd's nicks are at most 30 bytes.
  const std::string long_nick = "abcdefghijklmnopqrstuvwxyz0123";
  irc_peer holder(server.client_port(), "tweetbot");
  irc_peer long_holder(server.client_port(), long_nick);
  REQUIRE(holder.register_and_join({"#alt", "#under", "#long"}));
  REQUIRE(long_holder.register_and_join("#long"));
  INFO("holder saw:\n" << holder.transcript);

  auto with_alt = bot_env(server.ws_url(), "tweetbot", "#alt");
  with_alt["TWEETUP_IRC_ALT_NICKS"] = "tweetalt,tweetalt2";
  child_process bot_alt = start_bot(dir, "alt", with_alt);
  child_process bot_under = start_bot(dir, "under", bot_env(server.ws_url(), "tweetbot", "#under"));
  child_process bot_long = start_bot(dir, "long", bot_env(server.ws_url(), long_nick, "#long"));

  // "tweetbot_"; for the long one, "<30 bytes>_" is refused as erroneous (too long), so the
  // next try keeps within 30 bytes.
  const std::string long_alt = "abcdefghijklmnopqrstuvwxyz01_2";
  std::set<std::string> seen;
  const bool all_joined = holder.collect(
      [&](const std::string& l) {
        if (joins("tweetalt", "#alt")(l)) seen.insert("alt");
        if (joins("tweetbot_", "#under")(l)) seen.insert("under");
        if (joins(long_alt, "#long")(l)) seen.insert("long");
        return seen.size() == 3;
      },
      30s);
  CHECK(all_joined);

  holder.send("PRIVMSG #alt :!tweetup Starbucks Alabaster tomorrow 3pm");
  CHECK(holder.wait_for(says("tweetalt", "#alt", "Tweetup #1 Starbucks Alabaster"), 15s));
  holder.send("PRIVMSG #under :!tweetup Blue Bottle tomorrow 4pm");
  CHECK(holder.wait_for(says("tweetbot_", "#under", "Tweetup #1 Blue Bottle"), 15s));
  holder.send("PRIVMSG #long :!tweetup Ritual tomorrow 5pm");
  CHECK(holder.wait_for(says(long_alt, "#long", "Tweetup #1 Ritual"), 15s));

  for (child_process* bot : {&bot_alt, &bot_under, &bot_long})
    bot->send_signal(SIGTERM);
  const process_result alt = bot_alt.finish();
  const process_result under = bot_under.finish();
  const process_result longer = bot_long.finish();
  INFO("alt bot:\n" << alt.err << "\nunder bot:\n" << under.err << "\nlong bot:\n" << longer.err);
  CHECK(alt.exit_code == 0);
  CHECK(under.exit_code == 0);
  CHECK(longer.exit_code == 0);
  CHECK(contains(alt.err, "nick taken or refused; trying tweetalt"));
  CHECK(contains(alt.err, "registered on IRC as tweetalt"));
  CHECK(contains(under.err, "nick taken or refused; trying tweetbot_"));
  CHECK(contains(under.err, "registered on IRC as tweetbot_"));
  CHECK(contains(longer.err, "trying " + long_nick + "_"));  // 31 bytes: refused
  CHECK(contains(longer.err, "registered on IRC as " + long_alt));
}

// Stock flood limits: InspIRCd processes about 10 lines from a client at once (threshold 10),
// then one per second (commandrate 1000 millicommands/s), and holds back the rest (fakelag).
// The bot's bucket (4 at once, then irc.send_rate lines per second) must stay inside that, so
// the rate is the server's own 1 line/s: 30 one-line replies take 4 at once + 26 s, about 30 s
// with registration, within the ~40 s this test may take. The replies are long ones (about 400
// bytes, 12 KB in all, more than the stock 10 KiB receive queue), as long place names make them.
TEST_CASE("30 commands in a burst against stock flood limits: all answered, never disconnected") {
  require_inspircd();
  inspircd_server::options o;
  o.stock_flood_listener = true;
  server_with_alice setup(o, "#flood");
  auto& [server, dir, alice] = setup;
  INFO("server output:\n" << server.output());
  INFO("alice saw:\n" << alice.transcript);

  auto env = bot_env(server.stock_ws_url(), "tweetbot", "#flood");
  env["TWEETUP_IRC_SEND_RATE"] = "1";
  child_process bot = start_bot(dir, "tweetup", env);
  REQUIRE(alice.wait_for(joins("tweetbot", "#flood"), 20s));

  std::vector<std::string> commands;
  std::vector<std::string> places;
  for (int i = 0; i < 30; ++i) {
    // Letters, not digits, so that no name reads as part of the time.
    const std::string name = {i < 26 ? 'Q' : 'R', static_cast<char>('A' + i % 26)};
    places.push_back(long_place("Ünïcødé Straße 東京駅の前 ", 230, "Place " + name));
    commands.push_back("PRIVMSG #flood :!tweetup " + places.back() + " tomorrow 3pm");
  }
  alice.send_burst(commands);
  const auto sent = steady::now();

  std::set<std::string> answered;
  std::vector<steady::time_point> arrivals;
  bool bot_quit = false;
  const bool all = alice.collect(
      [&](const std::string& l) {
        if (quits("tweetbot")(l)) {
          bot_quit = true;
          return true;
        }
        const auto said = privmsg_text(l, "tweetbot", "#flood");
        if (!said) return false;
        for (const auto& place : places)
          if (contains(*said, place + ",")) answered.insert(place);
        arrivals.push_back(steady::now());
        return answered.size() == places.size();
      },
      45s);
  CHECK_FALSE(bot_quit);
  CHECK(all);
  CHECK(answered.size() == 30);
  CHECK(arrivals.size() == 30);  // one line each: nothing split, nothing repeated
  // The bot paced them itself: at most its burst of 4 and the next one within the first 1.5 s,
  // then one per second, so the last came at least 24 s after the burst. Without its bucket the
  // server would have held the bot's lines back instead (fakelag): 9 to 11 arrive at once, then
  // one per second, all within about 22 s (tried with irc.send_rate 0). A server with fakelag
  // off would have dropped it for flooding ("Excess Flood", protocols.md I6).
  if (!arrivals.empty()) {
    const auto early = std::count_if(arrivals.begin(), arrivals.end(), [&](steady::time_point at) {
      return at - arrivals.front() < 1500ms;
    });
    CHECK(early <= 6);
    CHECK(arrivals.back() - sent >= 24s);
  }

  const process_result result = stop_bot(bot);
  INFO("bot stderr:\n" << result.err);
  // One connection from start to end: never dropped, never reconnected.
  CHECK(count_of(result.err, "connected to " + server.stock_ws_url()) == 1);
  CHECK_FALSE(contains(result.err, "reconnecting"));
  CHECK_FALSE(contains(result.err, "connection lost"));
  CHECK_FALSE(contains(server.output(), "Excess Flood"));
  CHECK_FALSE(contains(server.output(), "RecvQ exceeded"));
}

TEST_CASE("a 1,500-byte reply arrives whole, split across lines, with no broken UTF-8") {
  require_inspircd();
  server_with_alice setup;
  auto& [server, dir, alice] = setup;
  INFO("server output:\n" << server.output());
  INFO("alice saw:\n" << alice.transcript);

  auto env = bot_env(server.ws_url(), "tweetbot", "#tweetup");
  env["TWEETUP_IRC_SEND_RATE"] = "20";  // this listener has no flood limits
  child_process bot = start_bot(dir, "tweetup", env);
  REQUIRE(alice.wait_for(joins("tweetbot", "#tweetup"), 20s));

  // Five tweetups with places of about 290 bytes of 1-, 2- and 3-byte characters, a few hours
  // apart so the list keeps this order.
  const std::vector<std::string> units = {"Ünïcødé Straße ", "東京駅の前 ", "Café ",
                                          "日本語の場所 ", "Ωμέγα ½ "};
  const std::vector<std::string> tails = {"Alpha", "Beta", "Gamma", "Delta", "Epsilon"};
  std::vector<std::string> places;
  for (std::size_t i = 0; i < units.size(); ++i) {
    places.push_back(long_place(units[i], 280, tails[i]));
    alice.send("PRIVMSG #tweetup :!tweetup " + places.back() + " tomorrow " +
               std::to_string(i + 1) + "pm");
    REQUIRE(alice.wait_for(bot_says("Tweetup #" + std::to_string(i + 1) + " "), 15s));
  }

  const auto check_wire = [](const std::vector<std::string>& wire) {
    for (const auto& line : wire) {
      INFO("line: " << line);
      CHECK(line.size() + 2 <= 512);  // with CR LF, as relayed, prefix included
      CHECK(valid_utf8(line));
    }
  };

  {
    INFO("!tweetups: a list of six lines, 1,500+ bytes in all");
    alice.send("PRIVMSG #tweetup :!tweetups");
    std::vector<std::string> wire;
    std::vector<std::string> texts;
    const bool complete = alice.collect(
        [&](const std::string& l) {
          const auto said = privmsg_text(l, "tweetbot", "#tweetup");
          if (!said) return false;
          wire.push_back(l);
          texts.push_back(*said);
          return said->starts_with("#5 ");
        },
        15s);
    REQUIRE(complete);
    check_wire(wire);
    REQUIRE(texts.size() == 6);
    CHECK(texts[0] == "Upcoming tweetups:");
    std::size_t total = texts[0].size();
    for (std::size_t i = 0; i < places.size(); ++i) {
      INFO("line " << i + 1 << ": " << texts[i + 1]);
      CHECK(texts[i + 1].starts_with("#" + std::to_string(i + 1) + " " + places[i] + " · "));
      CHECK(contains(texts[i + 1], "1 going"));
      total += 1 + texts[i + 1].size();
    }
    CHECK(total >= 1500);
  }
  {
    INFO("a 650-byte line is cut at a space close to the 512-byte limit, and joins back");
    const std::string moved_to = long_place("Ωμέγα Straße 東京駅 ", 280, "Omega");
    alice.send("PRIVMSG #tweetup :!tweetup place 1 " + moved_to);
    const std::string expected = "Tweetup #1 moved to " + moved_to + " (was " + places[0] + "), ";
    std::vector<std::string> wire;
    std::string joined;
    const bool complete = alice.collect(
        [&](const std::string& l) {
          const auto said = privmsg_text(l, "tweetbot", "#tweetup");
          if (!said) return false;
          wire.push_back(l);
          joined += (joined.empty() ? "" : " ") + *said;
          return joined.size() > expected.size() && contains(*said, "(in ");
        },
        15s);
    REQUIRE(complete);
    check_wire(wire);
    REQUIRE(wire.size() == 2);
    // Had the bot misjudged the room its relayed prefix takes, the server would have cut the
    // first part and bytes would be missing here.
    CHECK(joined.starts_with(expected));
    CHECK(wire[0].size() + 2 > 480);  // the first part used the room there was
  }

  const process_result result = stop_bot(bot);
  INFO("bot stderr:\n" << result.err);
}

// A server that accepts TCP but never answers the handshake: the bot's connect() would wait for
// its 10 s timeout, past the 5 s shutdown grace; SIGTERM must end it at once instead.
TEST_CASE("SIGTERM during a connect that hangs ends the bot cleanly within 5 s") {
  silent_listener listener;
  scratch_dir dir;
  std::string url;
  std::function<bool(const std::string&)> in_handshake;
  SUBCASE("ws://, no answer to the WebSocket upgrade") {
    url = "ws://127.0.0.1:" + std::to_string(listener.port()) + "/";
    in_handshake = [](const std::string& bytes) {
      return bytes.starts_with("GET ") && contains(bytes, "\r\n\r\n");
    };
  }
  SUBCASE("wss://, no answer to the TLS ClientHello") {
    url = "wss://127.0.0.1:" + std::to_string(listener.port()) + "/";
    // A TLS handshake record (content type 22) of some length has begun.
    in_handshake = [](const std::string& bytes) { return bytes.size() >= 5 && bytes[0] == '\x16'; };
  }
  child_process bot = start_bot(dir, "tweetup", bot_env(url, "tweetbot", "#tweetup"));
  const std::string request = listener.accept_and_read(in_handshake, 15s);
  REQUIRE_FALSE(request.empty());

  const auto signalled = steady::now();
  bot.send_signal(SIGTERM);
  const process_result result = bot.finish();
  const auto elapsed = steady::now() - signalled;
  INFO("bot stderr:\n" << result.err);
  CHECK(result.exit_code == 0);
  CHECK(elapsed < 5s);
  CHECK_FALSE(contains(result.err, "shutdown took longer"));
  CHECK(contains(result.err, "irc adapter finished"));
  CHECK_FALSE(contains(result.err, "cannot connect"));  // stopping is not a failure to report
}

// A server that completes the WebSocket handshake and then never answers, not even the close
// frame: the closing handshake would wait 10 s; stop() gives the server 1 s to close after
// QUIT, then 1 s for the close frame's answer, so SIGTERM still ends the bot cleanly within the
// 5 s grace.
TEST_CASE("SIGTERM while the server ignores the closing handshake ends the bot within 5 s") {
  silent_listener listener;
  scratch_dir dir;
  child_process bot = start_bot(dir, "tweetup", bot_env(listener.ws_url(), "tweetbot", "#tweetup"));
  REQUIRE(listener.accept_websocket());
  // Registration starts at once (I1); the server says nothing back.
  const auto opening = listener.read_messages(
      [](const std::vector<std::string>& m) {
        return std::find(m.begin(), m.end(), "NICK tweetbot") != m.end();
      },
      10s);
  CHECK(std::find(opening.begin(), opening.end(), "NICK tweetbot") != opening.end());

  const auto signalled = steady::now();
  bot.send_signal(SIGTERM);
  const auto closing =
      listener.read_messages([](const std::vector<std::string>&) { return false; }, 10s);
  const process_result result = bot.finish();
  const auto elapsed = steady::now() - signalled;
  INFO("bot stderr:\n" << result.err);
  REQUIRE(closing.size() >= 2);
  CHECK(closing[closing.size() - 2] == "QUIT :Tweetup signing off");
  CHECK(closing.back() == "<close>");
  CHECK(result.exit_code == 0);
  CHECK(elapsed < 5s);
  CHECK_FALSE(contains(result.err, "shutdown took longer"));
  CHECK(contains(result.err, "irc adapter finished"));
}

TEST_CASE("SIGTERM while the server has stopped reading ends the bot within 5 s, cleanly") {
  silent_listener listener(4096);
  scratch_dir dir;
  auto env = bot_env(listener.ws_url(), "tweetbot", "#tweetup");
  env["TWEETUP_IRC_SEND_RATE"] = "0";  // every reply goes to the socket at once
  child_process bot = start_bot(dir, "tweetup", env);
  REQUIRE(listener.accept_websocket());
  listener.read_messages(
      [](const std::vector<std::string>& m) {
        return std::find(m.begin(), m.end(), "NICK tweetbot") != m.end();
      },
      10s);
  welcome_bot(listener);
  // 4,000 answers of about 1.3 KB each: 5 MB, more than any socket buffer holds (Linux's
  // tcp_wmem allows 4 MiB at most), while the server reads none of it. The bot's write waits
  // for good.
  for (int i = 0; i < 4000; ++i)
    listener.send_text(":alice!alice@127.0.0.1 PRIVMSG #tweetup :!help");
  // Once the bot has read every command, its answers are owed (stop() still sends them), so
  // its write waits for good.
  const auto read_all = [&] {
    return listener.unsent() == 0 && tweetup::testing::unread_tcp_bytes(bot.pid()) == 0 &&
           tweetup::testing::unsent_tcp_bytes(bot.pid()) >= 64 * 1024;
  };
  const auto stuck = steady::now() + 60s;  // 4 – 6 s here; much more under the sanitizers
  while (!read_all() && steady::now() < stuck)
    std::this_thread::yield();
  REQUIRE(read_all());

  const auto signalled = steady::now();
  bot.send_signal(SIGTERM);
  const process_result result = bot.finish();
  const auto elapsed = steady::now() - signalled;
  INFO("bot stderr:\n" << result.err.substr(0, 4000));
  CHECK(result.exit_code == 0);
  // The bot's promise is its own: done within the 5 s grace, without the grace's hard stop.
  CHECK_FALSE(contains(result.err, "shutdown took longer"));
  CHECK(contains(result.err, "irc adapter finished"));
  // The wall clock adds the process's exit: freeing 5 MB of owed lines and, under the
  // sanitizers, the leak check's scan of the heap, which on a loaded machine is most of a second.
  CHECK(elapsed < 7s);
}

TEST_CASE("SIGTERM while waiting to reconnect ends the bot at once, whatever it wrote before") {
  silent_listener listener;
  scratch_dir dir;
  child_process bot = start_bot(dir, "tweetup", bot_env(listener.ws_url(), "tweetbot", "#tweetup"));
  REQUIRE(listener.accept_websocket());
  welcome_bot(listener);
  listener.send_text(":alice!alice@127.0.0.1 PRIVMSG #tweetup :!tweetups");
  const auto answer = listener.read_messages(
      [](const std::vector<std::string>& m) {
        return !m.empty() && contains(m.back(), "No tweetups planned here yet");
      },
      10s);
  REQUIRE_FALSE(answer.empty());
  REQUIRE(contains(answer.back(), "No tweetups planned here yet"));
  // The server goes away; the bot waits a second or so before it tries again.
  listener.drop_client();
  REQUIRE(wait_for_log(
      bot, [](const std::string& err) { return contains(err, "reconnecting to IRC in"); }, 10s));

  const auto signalled = steady::now();
  const process_result result = stop_bot(bot);
  const auto elapsed = steady::now() - signalled;
  INFO("bot stderr:\n" << result.err);
  CHECK(elapsed < 2s);
  CHECK(contains(result.err, "irc adapter finished"));
}

// Twitch mode end to end, against a server that answers the way Twitch does (protocols.md T2):
// the token from TWEETUP_IRC_PASSWORD goes out as PASS oauth:… and nowhere else, the nick and
// channel in lowercase, Twitch's capabilities, and the badges tag decides who moderates.
TEST_CASE("Twitch mode: PASS oauth: from TWEETUP_IRC_PASSWORD, Twitch capabilities, badges") {
  silent_listener listener;
  scratch_dir dir;
  auto env = bot_env(listener.ws_url(), "TweetBot", "#Streamer");
  env["TWEETUP_IRC_TWITCH"] = "true";
  env["TWEETUP_IRC_PASSWORD"] = "s3cr3t-t0ken";
  child_process bot = start_bot(dir, "tweetup", env);
  REQUIRE(listener.accept_websocket());

  const auto count_reached = [](std::size_t n) {
    return [n](const std::vector<std::string>& m) { return m.size() >= n; };
  };
  const auto login = listener.read_messages(count_reached(3), 10s);
  CHECK(login == std::vector<std::string>{
                     "PASS oauth:s3cr3t-t0ken", "NICK tweetbot",
                     "CAP REQ :twitch.tv/tags twitch.tv/commands twitch.tv/membership"});
  listener.send_text(
      ":tmi.twitch.tv CAP * ACK :twitch.tv/tags twitch.tv/commands twitch.tv/membership");
  listener.send_text(":tmi.twitch.tv 001 tweetbot :Welcome, GLHF!");
  CHECK(listener.read_messages(count_reached(1), 10s) ==
        std::vector<std::string>{"JOIN #streamer"});
  listener.send_text(":tweetbot!tweetbot@tweetbot.tmi.twitch.tv JOIN #streamer");

  const auto privmsg = [](const std::string& badges, const std::string& nick,
                          const std::string& text) {
    return "@badge-info=;badges=" + badges + ";display-name=" + nick + ";id=" + nick +
           "-1;mod=0;room-id=1;user-type= :" + nick + "!" + nick + "@" + nick +
           ".tmi.twitch.tv PRIVMSG #streamer :" + text;
  };
  const auto reply = [&] {
    const auto got = listener.read_messages(count_reached(1), 10s);
    return got.empty() ? std::string() : got.front();
  };
  // A moderator-only command: refused for a viewer, done for the broadcaster.
  listener.send_text(privmsg("subscriber/12", "viewer", "!tweetup status"));
  CHECK(reply() ==
        "PRIVMSG #streamer :Only a channel moderator can see what is waiting to go out.");
  listener.send_text(privmsg("broadcaster/1,subscriber/0", "streamer", "!tweetup status"));
  const std::string allowed = reply();
  CHECK(allowed.starts_with("PRIVMSG #streamer :"));
  CHECK_FALSE(contains(allowed, "Only a channel moderator"));

  bot.send_signal(SIGTERM);
  const auto closing =
      listener.read_messages([](const std::vector<std::string>&) { return false; }, 10s);
  const process_result result = bot.finish();
  INFO("bot stderr:\n" << result.err);
  CHECK(result.exit_code == 0);
  CHECK(std::find(closing.begin(), closing.end(), "QUIT :Tweetup signing off") != closing.end());
  CHECK_FALSE(contains(result.err, "s3cr3t"));
}
