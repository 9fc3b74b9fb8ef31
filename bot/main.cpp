// tweetup: argv → config → application → the io_context's run (in batches under load). Owns the
// io_context and the signals; everything else lives in lib/.
#include <csignal>
#include <variant>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "app/application.hpp"
#include "app/batch_window.hpp"
#include "app/command_line.hpp"
#include "app/logging.hpp"
#include "async/asio.hpp"
#include "async/batched_run.hpp"

int main(int argc, char** argv) {
  auto request = tweetup::handle_command_line(argc, argv);
  if (const int* exit_code = std::get_if<int>(&request)) return *exit_code;
  auto& settings = std::get<tweetup::run_request>(request).settings;
  tweetup::configure_logging(settings.log);

  namespace asio = tweetup::async::asio;
  // One thread runs the io_context (the WAL syncer only posts to it), and saying so lets Asio
  // queue handlers posted from that thread without taking the scheduler's lock.
  asio::io_context io{1};
  tweetup::application app(io.get_executor(), settings);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  // After a stop signal the adapters get a grace period to close cleanly; then we stop hard.
  asio::steady_timer grace(io);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    tweetup::app_log()->info("signal {}: shutting down", signal);
    app.stop();
    grace.expires_after(std::chrono::seconds(5));
    grace.async_wait([&](const boost::system::error_code& timer_ec) {
      if (timer_ec) return;
      tweetup::app_log()->warn("shutdown took longer than 5 s; stopping now");
      io.stop();
    });
  });
  if (!app.start()) return app.exit_code();
  app.on_finished([&] {
    signals.cancel();
    grace.cancel();
  });
  tweetup::async::run_batched(io, tweetup::resolve_batch_window(settings.batch_window));
  return app.exit_code();
}
