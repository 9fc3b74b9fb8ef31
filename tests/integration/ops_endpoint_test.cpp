// The ops endpoint of the real `tweetup` binary: /healthz over a real loopback socket with the
// console adapter and with the IRC adapter against a real InspIRCd that goes away and comes
// back, and `tweetup healthcheck` against it. Waits poll the endpoint with a deadline.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/child_process.hpp"
#include "support/inspircd.hpp"
#include "support/raw_http.hpp"
#include "support/require_inspircd.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;
using tweetup::testing::child_process;
using tweetup::testing::free_loopback_port;
using tweetup::testing::http_answer;
using tweetup::testing::http_get;
using tweetup::testing::inspircd_server;
using tweetup::testing::process_result;
using tweetup::testing::require_inspircd;
using tweetup::testing::run_process;

namespace {

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

struct scratch_dir {
  fs::path path;
  scratch_dir() {
    static int n = 0;
    path = fs::temp_directory_path() /
           ("tweetup-ops-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~scratch_dir() { fs::remove_all(path); }
};

// Asks /healthz every 100 ms until `wanted` holds for the answer, or `limit` passes; returns
// the last answer seen (nullopt when none came).
std::optional<http_answer> poll_health(int port,
                                       const std::function<bool(const http_answer&)>& wanted,
                                       std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::optional<http_answer> last;
  for (;;) {
    if (auto answer = http_get(port, "/healthz", 2s)) {
      last = std::move(answer);
      if (wanted(*last)) return last;
    }
    if (std::chrono::steady_clock::now() > deadline) return last;
    std::this_thread::sleep_for(100ms);  // the polling interval, not a synchronisation
  }
}

auto status_is(int status) {
  return [status](const http_answer& a) { return a.status == status; };
}

json body_of(const std::optional<http_answer>& a) {
  return a ? json::parse(a->body, nullptr, false) : json();
}

std::map<std::string, std::string> console_env(int port) {
  return {{"USER", "alice"},
          {"TWEETUP_DEFAULT_TIMEZONE", "America/Chicago"},
          {"TWEETUP_HTTP_LISTEN", "127.0.0.1:" + std::to_string(port)}};
}

// Whether a TCP connection to 127.0.0.2:port succeeds: that address is loopback too, but not the
// one the bot was told to listen on.
bool reachable_on_other_loopback(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(0x7f000002);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

process_result healthcheck(int port) {
  return run_process(TWEETUP_BINARY, {"healthcheck"}, "",
                     {{"TWEETUP_HTTP_LISTEN", "127.0.0.1:" + std::to_string(port)}});
}

}  // namespace

TEST_CASE("ops endpoint: the console bot answers /healthz 200 with every check, then stops") {
  scratch_dir dir;
  const int port = free_loopback_port();
  child_process bot(TWEETUP_BINARY, {"run", "--db", (dir.path / "t.db").string()},
                    console_env(port));
  const auto ok = poll_health(port, status_is(200), 15s);
  REQUIRE(ok);
  INFO(ok->headers << "\n\n" << ok->body);
  CHECK(ok->status == 200);
  CHECK(contains(ok->headers, "Content-Type: application/json"));
  CHECK(contains(ok->headers, "Cache-Control: no-store"));
  const json body = body_of(ok);
  REQUIRE(body.is_object());
  CHECK(body["status"] == "ok");
  CHECK(body["failing"] == json::array());
  for (const char* check : {"adapter", "database", "scheduler"}) {
    CAPTURE(check);
    CHECK(body["checks"][check]["ok"] == true);
    CHECK(body["checks"][check]["detail"].is_string());
  }
  CHECK(body["checks"]["adapter"]["detail"] == "console connected");
  CHECK(body["checks"]["database"]["detail"] == "writable");

  CHECK_FALSE(reachable_on_other_loopback(port));  // it listens only where configured

  const auto elsewhere = http_get(port, "/nowhere");
  REQUIRE(elsewhere);
  CHECK(elsewhere->status == 404);

  const process_result asked = healthcheck(port);
  INFO("healthcheck stderr: " << asked.err);
  CHECK(asked.exit_code == 0);
  CHECK(contains(asked.out, "\"status\":\"ok\""));

  // End of input ends the bot, and the endpoint with it.
  const process_result result = bot.finish();
  INFO("bot stderr: " << result.err);
  CHECK(result.exit_code == 0);
  CHECK(contains(result.err, "ops endpoint listening on http://127.0.0.1:" + std::to_string(port)));
  const process_result after = healthcheck(port);
  CHECK(after.exit_code == 1);
  CHECK(contains(after.err, "tweetup healthcheck: "));
  CHECK(contains(after.err, "refused"));
  CHECK(after.out.empty());
}

TEST_CASE("ops endpoint: a port in use stops the bot at startup with exit code 1") {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::listen(fd, 1) == 0);
  socklen_t size = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &size);
  const int port = ntohs(a.sin_port);

  scratch_dir dir;
  const process_result result = run_process(
      TWEETUP_BINARY, {"run", "--db", (dir.path / "t.db").string()}, "", console_env(port));
  ::close(fd);
  INFO("bot stderr: " << result.err);
  CHECK(result.exit_code == 1);
  CHECK(contains(result.err, "cannot serve http.listen 127.0.0.1:" + std::to_string(port)));
  CHECK(contains(result.err, "in use"));
}

TEST_CASE("ops endpoint: with http.listen empty nothing listens and healthcheck says so") {
  scratch_dir dir;
  auto env = console_env(0);
  env["TWEETUP_HTTP_LISTEN"] = "";
  const process_result result =
      run_process(TWEETUP_BINARY, {"run", "--db", (dir.path / "t.db").string()}, "!help\n", env);
  CHECK(result.exit_code == 0);
  CHECK_FALSE(contains(result.err, "ops endpoint"));
  const process_result asked = run_process(TWEETUP_BINARY, {"healthcheck"}, "", env);
  CHECK(asked.exit_code == 2);
  CHECK(contains(asked.err, "http.listen is empty"));
}

TEST_CASE("ops endpoint: healthz goes 200, 503, 200 as the IRC server goes away and comes back") {
  require_inspircd();
  std::optional<inspircd_server> server;
  server.emplace();
  scratch_dir dir;
  const int port = free_loopback_port();
  const std::map<std::string, std::string> env{
      {"TWEETUP_ADAPTER", "irc"},
      {"TWEETUP_IRC_URL", server->ws_url()},
      {"TWEETUP_IRC_NICK", "healthbot"},
      {"TWEETUP_IRC_CHANNELS", "#health"},
      {"TWEETUP_TLS_CA_FILE", ""},
      {"TWEETUP_LOG_LEVEL", "warn"},
      {"TWEETUP_HTTP_LISTEN", "127.0.0.1:" + std::to_string(port)}};
  child_process bot(TWEETUP_BINARY, {"run", "--db", (dir.path / "t.db").string()}, env);

  const auto up = poll_health(port, status_is(200), 20s);
  REQUIRE(up);
  INFO("first: " << up->body);
  CHECK(body_of(up)["checks"]["adapter"]["detail"] == "irc connected");
  CHECK(healthcheck(port).exit_code == 0);

  const inspircd_server::options same = server->used();
  server.reset();
  const auto down = poll_health(port, status_is(503), 15s);
  REQUIRE(down);
  INFO("down: " << down->body);
  CHECK(down->status == 503);
  const json body = body_of(down);
  CHECK(body["status"] == "failing");
  CHECK(body["failing"] == json::array({"adapter"}));
  CHECK(body["checks"]["adapter"]["detail"] == "irc not connected");
  CHECK(body["checks"]["database"]["ok"] == true);
  CHECK(body["checks"]["scheduler"]["ok"] == true);
  const process_result asked = healthcheck(port);
  CHECK(asked.exit_code == 1);
  CHECK(contains(asked.err, "answered 503"));
  CHECK(contains(asked.out, "\"failing\":[\"adapter\"]"));

  server.emplace(same);
  // The adapter reconnects with backoff (its first retries come within seconds).
  const auto back = poll_health(port, status_is(200), 30s);
  REQUIRE(back);
  INFO("back: " << back->body);
  CHECK(back->status == 200);
  CHECK(healthcheck(port).exit_code == 0);

  bot.send_signal(SIGTERM);
  const process_result result = bot.finish();
  INFO("bot stderr: " << result.err);
  CHECK(result.exit_code == 0);
}
