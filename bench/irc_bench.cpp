// The IRC path end to end: the real tweetup binary against a real InspIRCd on loopback (the one
// the integration tests run, tests/support/inspircd.hpp), with the bot's throttle off
// (irc.send_rate 0). InspIRCd's own flood control would then be the limit (one line per second
// after ten, by default), so every connection here is in its class without flood limits: a
// million lines per second, no fakelag, 1 MiB recvq, 16 MiB sendq. Test peers speak plain IRC
// over TCP; the bot speaks IRC over ws://.
//
// Setup: `--channels` channels, each with an organizer who creates tweetup #1 and `--peers`
// people. Then `--commands` commands, "!join 1" and "!leave 1" by turns for each person: every
// one changes an RSVP, committed to SQLite (WAL, synchronous FULL) before its one-line reply.
// Each channel keeps `--window` commands in flight, its people taking turns, and each reply
// (counted at the channel's organizer) lets the next one go. Printed: commands/s (all commands
// over the time from the first sent to the last reply), reply latency under that load (p50,
// p99), the bot's CPU time (user + system, from /proc) per command. Then `--round-trips` single
// commands one after the other: sent → reply, p50 and p99. Last, the bot's peak RSS (VmHWM).
//
//   irc_bench [--bot PATH] [--commands N] [--channels C] [--peers P] [--window W]
//             [--round-trips R] [--db-dir DIR] [--echo 1]
// --echo 1 loads InspIRCd's echo-message, as most networks offer it: the server then echoes
// every reply to the bot, which counts a reply sent only on its echo.
//   (defaults: the tweetup of this build, 20000, 20, 2, 4, 200, the temporary folder)
// Every command waits for its fsync, so on a busy disk that dominates; --db-dir /dev/shm (tmpfs,
// where fsync costs nothing) measures the IRC path itself.
// Exits 77 (a skip for CTest) when InspIRCd is not installed, 1 when a reply is missing or the
// bot fails.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/inspircd.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using steady = std::chrono::steady_clock;
using tweetup::testing::inspircd_server;

constexpr const char* bot_nick = "benchbot";

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// ---- the bot process ---------------------------------------------------------------------------

struct bot_process {
  pid_t pid = -1;
  fs::path log;
};

// Drops the binary from the page cache, so that the bot's code comes from the disk through
// readahead, as on a host that starts it; a binary linked or copied just before sits in the
// folios its writer made, and its resident code moves with them (bench/README.md, "Code laid
// out by use"). The fsync first: pages still being written out are not dropped.
void read_from_disk_at_start(const std::string& program) {
  const int fd = ::open(program.c_str(), O_RDONLY);
  if (fd < 0) return;
  ::fsync(fd);
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  ::close(fd);
}

bot_process spawn_bot(const std::string& program, const std::vector<std::string>& args,
                      const std::map<std::string, std::string>& overrides, const fs::path& log) {
  read_from_disk_at_start(program);
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    const std::string entry = *e;
    const auto eq = entry.find('=');
    if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (const auto& [key, value] : overrides)
    env[key] = value;
  std::vector<std::string> env_strings;
  for (const auto& [key, value] : env)
    env_strings.push_back(key + "=" + value);
  std::vector<char*> envp;
  for (auto& s : env_strings)
    envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_strings{program};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : argv_strings)
    argv.push_back(s.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  bot_process bot;
  bot.log = log;
  const int spawned =
      ::posix_spawn(&bot.pid, program.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) throw std::runtime_error("cannot start " + program);
  return bot;
}

// User + system CPU seconds of `pid` so far (proc(5) stat fields 14 and 15).
double cpu_seconds(pid_t pid) {
  const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string field;
  long ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i)
    if (i >= 14) ticks += std::stol(field);
  return static_cast<double>(ticks) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

long peak_rss_kib(pid_t pid) {
  std::istringstream status(read_file("/proc/" + std::to_string(pid) + "/status"));
  std::string line;
  while (std::getline(status, line))
    if (line.starts_with("VmHWM:")) return std::stol(line.substr(6));
  return 0;
}

// SIGTERM, then the exit status (-1 when it had to be killed after 10 s).
int stop_bot(bot_process& bot) {
  const pid_t pid = bot.pid;
  bot.pid = -1;
  ::kill(pid, SIGTERM);
  int status = 0;
  for (int attempt = 0; attempt < 1000; ++attempt) {
    if (::waitpid(pid, &status, WNOHANG) == pid)
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return -1;
}

// ---- the peers ---------------------------------------------------------------------------------

struct peer {
  int fd = -1;
  std::string nick;
  std::string channel;
  std::string pending;
};

void send_all(peer& p, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::send(p.fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n <= 0) throw std::runtime_error("send to the IRC server failed for " + p.nick);
    done += static_cast<std::size_t>(n);
  }
}

peer connect_peer(int port, std::string nick, std::string channel) {
  peer p;
  p.nick = std::move(nick);
  p.channel = std::move(channel);
  p.fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (p.fd < 0 || ::connect(p.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
    throw std::runtime_error("cannot connect to the IRC server");
  send_all(p, "NICK " + p.nick + "\r\nUSER " + p.nick + " 0 * :" + p.nick + "\r\n");
  return p;
}

// Reads from every peer until `on_line(index, line)` returns true or `limit` passes; answers
// PINGs. Returns whether on_line finished it.
bool pump(std::vector<peer>& peers,
          const std::function<bool(std::size_t, const std::string&)>& on_line,
          std::chrono::milliseconds limit) {
  const auto deadline = steady::now() + limit;
  std::vector<pollfd> fds(peers.size());
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now()).count();
    if (left <= 0) return false;
    for (std::size_t i = 0; i < peers.size(); ++i)
      fds[i] = {peers[i].fd, POLLIN, 0};
    if (::poll(fds.data(), fds.size(), static_cast<int>(left)) <= 0) continue;
    for (std::size_t i = 0; i < peers.size(); ++i) {
      if (fds[i].revents == 0) continue;
      char chunk[65536];
      const ssize_t n = ::recv(peers[i].fd, chunk, sizeof chunk, 0);
      if (n <= 0) throw std::runtime_error("the server closed the connection of " + peers[i].nick);
      std::string& pending = peers[i].pending;
      pending.append(chunk, static_cast<std::size_t>(n));
      std::size_t start = 0;
      bool done = false;
      for (auto end = pending.find('\n', start); end != std::string::npos;
           end = pending.find('\n', start)) {
        std::string line = pending.substr(start, end - start);
        start = end + 1;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.starts_with("PING ")) {
          send_all(peers[i], "PONG " + line.substr(5) + "\r\n");
          continue;
        }
        if (!done && on_line(i, line)) done = true;
      }
      pending.erase(0, start);
      if (done) return true;
    }
  }
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A PRIVMSG from the bot to `channel`.
bool from_bot_to(const std::string& line, const std::string& channel) {
  return line.starts_with(std::string(":") + bot_nick + "!") &&
         contains(line, " PRIVMSG " + channel + " :");
}

// The q-quantile (nearest rank) of `values`, which it sorts; 0 when empty.
double percentile(std::vector<double>& values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(q * static_cast<double>(values.size()));
  return values[std::min(values.size() - 1, rank)];
}

std::string grouped(double value) {
  std::string digits = std::to_string(static_cast<long long>(value + 0.5));
  for (int at = static_cast<int>(digits.size()) - 3; at > 0; at -= 3)
    digits.insert(static_cast<std::size_t>(at), ",");
  return digits;
}

}  // namespace

int main(int argc, char** argv) {
  std::string bot_path = TWEETUP_BINARY;
  long commands = 20000;
  int channels = 20;
  int peers_per_channel = 2;
  int round_trips = 200;
  int window = 4;
  bool echo = false;
  fs::path db_dir = fs::temp_directory_path();
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--bot") bot_path = argv[i + 1];
    if (flag == "--commands") commands = std::atol(argv[i + 1]);
    if (flag == "--channels") channels = std::atoi(argv[i + 1]);
    if (flag == "--peers") peers_per_channel = std::atoi(argv[i + 1]);
    if (flag == "--round-trips") round_trips = std::atoi(argv[i + 1]);
    if (flag == "--db-dir") db_dir = argv[i + 1];
    if (flag == "--window") window = std::atoi(argv[i + 1]);
    if (flag == "--echo") echo = std::string(argv[i + 1]) == "1";
  }
  if (commands < 1 || channels < 1 || peers_per_channel < 1 || round_trips < 0 || window < 1) {
    std::fprintf(stderr,
                 "usage: irc_bench [--bot PATH] [--commands N] [--channels C] "
                 "[--peers P] [--window W] [--round-trips R] [--db-dir DIR] [--echo 1]\n");
    return 2;
  }
  if (!inspircd_server::installed()) {
    std::printf("inspircd is not installed (apt-get install inspircd); skipping\n");
    return 77;
  }

  const fs::path dir = db_dir / ("tweetup-irc-bench-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  int exit_code = 0;
  bot_process bot;
  try {
    inspircd_server::options server_options;
    server_options.echo_message = echo;
    inspircd_server server(server_options);
    // Organizers first, then the people, each in their channel.
    std::vector<peer> peers;
    std::vector<std::string> channel_names;
    for (int c = 0; c < channels; ++c) {
      channel_names.push_back("#bench" + std::to_string(c));
      peers.push_back(
          connect_peer(server.client_port(), "org" + std::to_string(c), channel_names.back()));
    }
    for (int c = 0; c < channels; ++c)
      for (int p = 0; p < peers_per_channel; ++p)
        peers.push_back(connect_peer(server.client_port(),
                                     "p" + std::to_string(c) + "x" + std::to_string(p),
                                     channel_names[c]));
    std::size_t registered = 0;
    if (!pump(
            peers,
            [&](std::size_t, const std::string& l) {
              return contains(l, " 001 ") && ++registered == peers.size();
            },
            std::chrono::seconds(30)))
      throw std::runtime_error("the peers did not all register");
    for (auto& p : peers)
      send_all(p, "JOIN " + p.channel + "\r\n");
    std::size_t joined = 0;
    if (!pump(
            peers,
            [&](std::size_t i, const std::string& l) {
              return l.starts_with(":" + peers[i].nick + "!") && contains(l, " JOIN ") &&
                     ++joined == peers.size();
            },
            std::chrono::seconds(30)))
      throw std::runtime_error("the peers did not all join");

    std::string channel_list;
    for (const auto& name : channel_names)
      channel_list += (channel_list.empty() ? "" : ",") + name;
    bot = spawn_bot(bot_path, {"run", "--db", (dir / "tweetup.db").string()},
                    {{"TWEETUP_ADAPTER", "irc"},
                     {"TWEETUP_IRC_URL", server.ws_url()},
                     {"TWEETUP_IRC_NICK", bot_nick},
                     {"TWEETUP_IRC_CHANNELS", channel_list},
                     {"TWEETUP_IRC_SEND_RATE", "0"},
                     {"TWEETUP_DEFAULT_TIMEZONE", "America/Chicago"},
                     {"TWEETUP_LOG_LEVEL", "warn"},
                     {"TWEETUP_HTTP_LISTEN", ""}},
                    dir / "bot.log");
    std::size_t bot_joined = 0;
    if (!pump(
            peers,
            [&](std::size_t i, const std::string& l) {
              return i < static_cast<std::size_t>(channels) &&
                     l.starts_with(std::string(":") + bot_nick + "!") && contains(l, " JOIN ") &&
                     ++bot_joined == static_cast<std::size_t>(channels);
            },
            std::chrono::seconds(30)))
      throw std::runtime_error("the bot did not join every channel");
    for (int c = 0; c < channels; ++c)
      send_all(peers[c], "PRIVMSG " + channel_names[c] + " :!tweetup Bench place tomorrow 3pm\r\n");
    std::size_t created = 0;
    if (!pump(
            peers,
            [&](std::size_t i, const std::string& l) {
              return i < static_cast<std::size_t>(channels) && from_bot_to(l, peers[i].channel) &&
                     contains(l, "Tweetup #1 ") && ++created == static_cast<std::size_t>(channels);
            },
            std::chrono::seconds(30)))
      throw std::runtime_error("the bot did not create every tweetup");

    // The load: each channel keeps `window` commands in flight, from its people in turn; each
    // reply (the organizer sees them all) lets the next one go. A window, not one burst: InspIRCd
    // 3.15 reads at most 10 KiB (its netbuffersize) per wake-up from a client that has more
    // waiting, and with nothing else to wake it, once a second, so a backlog of more than that
    // from the bot or a person turns into 10 KiB/s. All windows together stay below it.
    const std::size_t people = peers.size() - static_cast<std::size_t>(channels);
    std::vector<bool> going(peers.size(), false);
    struct channel_load {
      long remaining = 0;
      std::size_t turn = 0;
      std::deque<steady::time_point> in_flight;
    };
    std::vector<channel_load> load(static_cast<std::size_t>(channels));
    for (long k = 0; k < commands; ++k)
      ++load[static_cast<std::size_t>(k % channels)].remaining;
    const auto send_next = [&](std::size_t c) {
      channel_load& l = load[c];
      const std::size_t i = static_cast<std::size_t>(channels) +
                            c * static_cast<std::size_t>(peers_per_channel) +
                            l.turn++ % static_cast<std::size_t>(peers_per_channel);
      --l.remaining;
      l.in_flight.push_back(steady::now());
      send_all(peers[i],
               "PRIVMSG " + peers[i].channel + (going[i] ? " :!leave 1\r\n" : " :!join 1\r\n"));
      going[i] = !going[i];
    };
    std::vector<double> loaded_ms;
    loaded_ms.reserve(static_cast<std::size_t>(commands));
    const double cpu_before = cpu_seconds(bot.pid);
    const auto start = steady::now();
    for (std::size_t c = 0; c < load.size(); ++c)
      for (int k = 0; k < window && load[c].remaining > 0; ++k)
        send_next(c);
    long replies = 0;
    const auto allowed = std::chrono::seconds(60 + commands / 100);
    const bool all = pump(
        peers,
        [&](std::size_t i, const std::string& l) {
          if (i >= load.size() || !from_bot_to(l, peers[i].channel)) return false;
          channel_load& cl = load[i];
          if (cl.in_flight.empty()) throw std::runtime_error("a reply nobody asked for: " + l);
          loaded_ms.push_back(
              std::chrono::duration<double, std::milli>(steady::now() - cl.in_flight.front())
                  .count());
          cl.in_flight.pop_front();
          if (cl.remaining > 0) send_next(i);
          return ++replies == commands;
        },
        allowed);
    const std::chrono::duration<double> elapsed = steady::now() - start;
    const double cpu = cpu_seconds(bot.pid) - cpu_before;
    if (!all) {
      const std::string server_log = server.output();
      std::fprintf(
          stderr, "only %ld of %ld replies arrived within %lld s; the server's log ends:\n%s\n",
          replies, commands, static_cast<long long>(allowed.count()),
          server_log.substr(server_log.size() > 3000 ? server_log.size() - 3000 : 0).c_str());
      exit_code = 1;
    }

    // One command at a time, by the first person of the first channel.
    std::vector<double> latencies_ms;
    const std::size_t asker = static_cast<std::size_t>(channels);
    for (int r = 0; r < round_trips && exit_code == 0; ++r) {
      const auto sent = steady::now();
      send_all(peers[asker], "PRIVMSG " + peers[asker].channel +
                                 (going[asker] ? " :!leave 1\r\n" : " :!join 1\r\n"));
      going[asker] = !going[asker];
      if (!pump(
              peers,
              [&](std::size_t i, const std::string& l) {
                return i == asker && from_bot_to(l, peers[i].channel);
              },
              std::chrono::seconds(10))) {
        std::fprintf(stderr, "round trip %d got no reply\n", r + 1);
        exit_code = 1;
        break;
      }
      latencies_ms.push_back(
          std::chrono::duration<double, std::milli>(steady::now() - sent).count());
    }
    const long rss = peak_rss_kib(bot.pid);
    const int status = stop_bot(bot);
    const std::string log = read_file(bot.log);
    if (status != 0 || contains(log, "reconnecting") || contains(log, "[error]")) {
      std::fprintf(stderr, "the bot exited with %d; its log:\n%s\n", status, log.c_str());
      exit_code = 1;
    }

    std::printf(
        "commands: %ld over %d channels, %zu people, %d in flight per channel, throttle off "
        "(irc.send_rate 0), database in %s\n",
        commands, channels, people, window, db_dir.c_str());
    std::printf(
        "load: %s commands/s (%.2f s for all replies), reply p50 %.2f ms, p99 %.2f ms; "
        "bot CPU %.2f s, %.0f us/command\n",
        grouped(static_cast<double>(replies) / elapsed.count()).c_str(), elapsed.count(),
        percentile(loaded_ms, 0.5), percentile(loaded_ms, 0.99), cpu,
        cpu * 1e6 / static_cast<double>(std::max<long>(1, replies)));
    if (!latencies_ms.empty())
      std::printf("one at a time: %zu round trips, p50 %.2f ms, p99 %.2f ms\n", latencies_ms.size(),
                  percentile(latencies_ms, 0.5), percentile(latencies_ms, 0.99));
    std::printf("bot peak RSS: %.1f MiB\n", static_cast<double>(rss) / 1024.0);
    for (auto& p : peers)
      ::close(p.fd);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "irc_bench: %s\n", e.what());
    if (bot.pid > 0) {
      stop_bot(bot);
      std::fprintf(stderr, "bot log:\n%s\n", read_file(bot.log).c_str());
    }
    exit_code = 1;
  }
  fs::remove_all(dir);
  return exit_code;
}
