// The IRC adapter: the pure irc_session (protocols.md §1c) driven over IRC-over-WebSocket
// (websocket_client). One run() loop connects, then runs `reader || writer || timer` per
// connection (design.md §5); the session decides when to reconnect, what to send and when.
//
// - Inbound PRIVMSGs in joined channels (or to the bot) reach the handler as channel
//   {"irc", "#chan"} (or {"irc", nick} for private ones), author {nick, nick}.
// - post() hands the text to the session, which cleans, splits and throttles it; mentions are
//   rendered as the bare nick.
// - Exactly one write is in flight: every line goes through one queue drained by one writer.
// - A message's on_settled says delivered once the server echoed its last line (echo-message),
//   or, on a server without echo-message and on Twitch, once that line was written.
// - stop() takes no more messages in; once the app has answered those it took (set_unanswered
//   says 0), the session's throttle has let its queue out and the server has echoed what was
//   sent, or after quit_grace, it sends
//   QUIT, lets the server close the connection, else closes with 1000, and ends run(), within
//   4 s in all even when the server answers nothing; a connect still in flight (a server that
//   accepts TCP but never answers the handshake) is abandoned at once rather than left to its
//   timeout. A fatal session error ends run() too.
// - send_rate 0 turns the outgoing throttle off (benchmarks, or a server that allows it).
// Executor: everything runs on the executor given to the constructor; not thread-safe.
// The password is handed to the session only and never logged.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "adapters/chat_adapter.hpp"
#include "adapters/irc/irc_action.hpp"
#include "adapters/irc/irc_session.hpp"
#include "adapters/transport/websocket_client.hpp"
#include "async/session_timer.hpp"

namespace tweetup {

struct irc_adapter_options {
  std::string url;  // ws:// (loopback only) or wss://
  std::string origin = "https://tweetup.invalid";
  std::string nick = "tweetup";
  std::vector<std::string> alt_nicks;
  std::string user;
  std::string realname;
  std::vector<std::string> channels;
  std::string sasl_user;
  std::string password;  // SASL password or Twitch OAuth token; never logged
  bool twitch = false;
  double send_rate = 1.0;
  std::string ca_file;  // extra trusted CAs for wss://
};

class irc_adapter final : public chat_adapter {
 public:
  irc_adapter(async::executor ex, irc_adapter_options options);
  ~irc_adapter() override;

  void post(outbound_message message) override;
  async::task<void> run(message_handler on_message) override;
  void stop() override;
  std::string_view name() const override { return "irc"; }
  // Registered with the server (001 seen) on the current connection.
  bool connected() const override;
  std::string_view failure() const override { return failure_; }
  void set_unanswered(std::size_t count) override;

  // stop()'s budget, 4 s at worst, inside design.md §5's 5 s: owed replies and throttled lines
  // get quit_grace before the QUIT; then the server gets after_quit_wait to close the
  // connection itself, and a close we start waits close_wait for its answer.
  static constexpr std::chrono::milliseconds quit_grace{2000};
  static constexpr std::chrono::milliseconds after_quit_wait{1000};
  static constexpr std::chrono::milliseconds close_wait{1000};
  // A write the server takes in none of for this long means it stopped reading: the connection
  // is dropped and made again. Without it, a write waiting on a full socket would hold every
  // later line, the PING that would find out, and the close after it, for as long as the
  // server's kernel keeps the connection open.
  static constexpr std::chrono::milliseconds write_timeout{30000};

 private:
  using clock = std::chrono::steady_clock;
  using actions = irc::irc_session::actions;

  void execute(const actions& batch);
  void notify_writer();
  void log_joins();

  async::task<void> run_connection();
  async::task<void> reader();
  async::task<void> writer();
  async::task<void> ticker();
  async::task<void> idle();
  // The session's timer is due: runs it. From ticker() while connected and idle() between
  // connections, both timer_.run() loops.
  void on_timer();
  void settle(std::uint64_t receipt, delivery how);
  void clear_outbox();
  // Sends a close frame and waits at most close_wait for the server's, then drops the
  // connection.
  async::task<void> close_briefly();
  // After stop(): at `at`, quit() if nothing owed is left to send, the connection is down or
  // quit_by_ passed; otherwise look again at quit_by_.
  void look_at_quit(clock::time_point at);
  // Stops the session (QUIT) and closes the connection; once.
  void quit();
  // Brings the write in flight's deadline forward to `by` (it is never pushed back).
  void hurry_write(clock::time_point by);
  // Waits for write_deadline_; the write still in flight then ends, with the connection.
  void arm_write_guard();
  // At a connection's end: no write is in flight any more, and the guard waits for nothing.
  void end_write_guard();

  async::executor ex_;
  irc_adapter_options options_;
  websocket_client ws_;
  irc::irc_session session_;
  async::session_timer timer_;  // the session's wake-ups and jitter
  boost::asio::steady_timer writer_signal_;
  boost::asio::steady_timer close_guard_;  // bounds close_briefly()
  // Bounds the write in flight. Armed once per write_timeout at most, not per line: a wait
  // that ends early is armed again for the deadline of the write then in flight, if any.
  boost::asio::steady_timer write_guard_;
  bool write_guard_armed_ = false;
  bool writing_ = false;  // a write is in flight
  clock::time_point write_deadline_;
  boost::asio::steady_timer quit_guard_;  // look_at_quit's
  clock::time_point quit_by_;             // stop()'s time plus quit_grace
  std::size_t unanswered_ = 0;            // the app's, from set_unanswered
  // Lines to write on the current connection, in order; nullopt marks "close here".
  std::deque<std::optional<irc::irc_action::send_line>> outbox_;
  // The on_settled of posted messages, by the receipt the session carries for them.
  std::unordered_map<std::uint64_t, std::function<void(delivery)>> receipts_;
  std::uint64_t last_receipt_ = 0;
  // Messages sent to part of a channel (STATUSMSG, "@#chan"), by id, with where their replies
  // go; the oldest are forgotten first.
  static constexpr std::size_t max_statusmsg_replies = 256;
  std::deque<std::pair<std::string, std::string>> statusmsg_replies_;
  const message_handler* handler_ = nullptr;  // while run() is active
  std::set<std::string> joined_;              // channels we were last seen in, for log lines
  std::string failure_;                       // the session's fatal reason
  std::string run_id_;                        // makes fallback message ids unique across runs
  unsigned long long next_id_ = 1;
  unsigned long long attempt_ = 0;      // connect attempts so far
  unsigned long long connections_ = 0;  // connects that succeeded; after the first, reconnects
  bool connected_ = false;              // a connection's reader/writer/timer are running
  bool disconnect_planned_ = false;     // the session asked to close the current connection
  bool connecting_ = false;             // a connect() is in flight
  bool need_connect_ = false;
  bool stopping_ = false;
  bool quit_sent_ = false;    // quit() ran
  bool quit_queued_ = false;  // ...and queued a QUIT line; its close waits for the server's
  bool finished_ = false;     // fatal: run() ends
};

}  // namespace tweetup
