// The running bot: the store, the service and one adapter, wired together on one executor.
//
// Lifetime: construct, start(), then run the io_context; it returns after the adapter's session
// ends (end of input, fatal error) or after stop(). exit_code() then tells how it went.
#pragma once

#include <functional>
#include <memory>

#include "app/config.hpp"
#include "async/asio.hpp"

namespace tweetup {

class application {
 public:
  application(async::executor ex, config settings);
  ~application();

  // Opens the store and starts the adapter. Returns false (after logging why) when the bot
  // cannot start, e.g. the database cannot be opened.
  bool start();
  // Graceful stop: the adapter finishes, nothing new is accepted.
  void stop();
  int exit_code() const { return exit_code_; }
  // Called once the adapter's session has ended and the bot has nothing left to do.
  void on_finished(std::function<void()> callback) { on_finished_ = std::move(callback); }

  // What the running bot is made of; defined in the .cpp.
  struct parts;

 private:
  async::executor ex_;
  config settings_;
  std::unique_ptr<parts> parts_;
  std::function<void()> on_finished_;
  int exit_code_ = 0;
};

}  // namespace tweetup
