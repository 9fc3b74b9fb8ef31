// A test peer for the gateway send throttle (protocols.md G13): one gateway_client, the very one
// the bot uses, connected to the emulator. After READY it queues `count` presence updates at
// once and lets the session's send budget release them; it stops (close 1000) when its stdin
// closes. The Python scenario checks on the emulator's side that no window held more than the
// limit and that every payload arrived.
//
//   gateway_probe <ws-url> <count> <window-ms>      (token in TWEETUP_DISCORD_TOKEN)
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <iostream>
#include <string>
#include <variant>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include "adapters/discord/gateway_client.hpp"
#include "async/supervise.hpp"

namespace {

using namespace tweetup;
namespace asio = async::asio;

constexpr const char* presence =
    R"({"op":3,"d":{"since":null,"activities":[],"status":"online","afk":false}})";

struct probe {
  gateway_client* client;
  int count;
  bool queued = false;

  void on_event(gateway_event& e) {
    if (queued || !std::holds_alternative<gateway_event::ready>(e.data)) return;
    queued = true;
    for (int i = 0; i < count; ++i)
      client->enqueue(presence);
    std::cout << "queued " << count << std::endl;
  }
};

async::task<void> run_client(gateway_client* client, probe* p) {
  gateway_client::event_handler handler = [p](gateway_event& e) { p->on_event(e); };
  const std::string fatal = co_await client->run(handler);
  if (!fatal.empty()) std::cerr << "fatal: " << fatal << std::endl;
}

// Ends the client when stdin reaches its end: the test's way of saying "done".
async::task<void> watch_stdin(asio::posix::stream_descriptor* in, gateway_client* client) {
  std::array<char, 256> buffer{};
  for (;;) {
    auto [ec, n] = co_await in->async_read_some(asio::buffer(buffer), async::nothrow);
    if (ec) break;
    (void)n;
  }
  client->stop();
}

}  // namespace

int main(int argc, char** argv) {
  const char* token = std::getenv("TWEETUP_DISCORD_TOKEN");
  if (argc != 4 || token == nullptr) {
    std::cerr << "usage: TWEETUP_DISCORD_TOKEN=... gateway_probe <ws-url> <count> <window-ms>\n";
    return 2;
  }
  asio::io_context io;
  gateway_client_options o;
  o.token = token;
  o.gateway_url = argv[1];
  o.send_window = std::chrono::milliseconds(std::atoi(argv[3]));
  gateway_client client(io.get_executor(), o);
  probe p{&client, std::atoi(argv[2])};
  asio::posix::stream_descriptor in(io, ::dup(0));
  async::supervise(io.get_executor(), run_client(&client, &p), "probe gateway",
                   [&in] { in.close(); });
  async::supervise(io.get_executor(), watch_stdin(&in, &client), "probe stdin");
  io.run();
  return 0;
}
