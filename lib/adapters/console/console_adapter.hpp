// The console adapter: stdin lines in, replies on stdout. The default adapter, so a newcomer can
// talk to the bot with nothing but a terminal.
//
// - Each input line is a message in channel "console" from the current speaker (initially
//   `user`, who counts as the channel's moderator). "/as NAME" switches the speaker; "/as" alone
//   switches back. Notices about that go to `notices` (stderr), never to stdout.
// - Lines longer than max_line_bytes are cut there; the core refuses them as too long.
// - Ends at end of input, or when stop() is called (Ctrl-C).
// Ownership: `in` and `out` are file descriptors the adapter does not close.
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>

#include "adapters/chat_adapter.hpp"

namespace tweetup {

struct console_options {
  std::string user = "you";     // the terminal's owner: $USER
  int input_fd = 0;             // stdin
  std::FILE* output = stdout;   // replies
  std::FILE* notices = stderr;  // "/as" confirmations and the banner
  bool banner = false;          // print a greeting first (for interactive terminals)
};

class console_adapter final : public chat_adapter {
 public:
  // Far above the core's 4,000-byte limit, so an over-long line is still seen as too long,
  // yet a 1 GB line costs no more than this much memory.
  static constexpr std::size_t max_line_bytes = 64 * 1024;

  console_adapter(async::executor ex, console_options options);
  ~console_adapter() override;

  void post(outbound_message message) override;
  async::task<void> run(message_handler on_message) override;
  void stop() override;
  std::string_view name() const override { return "console"; }
  // True while run() is reading input: the terminal has no connection to lose.
  bool connected() const override { return reader_ != nullptr && !stopping_; }

 private:
  class line_reader;
  void handle_line(std::string line, const message_handler& on_message);

  async::executor ex_;
  console_options options_;
  std::string speaker_;
  std::string session_;  // makes message ids unique across runs
  unsigned long long next_id_ = 1;
  bool stopping_ = false;
  line_reader* reader_ = nullptr;  // while run() is active
};

}  // namespace tweetup
