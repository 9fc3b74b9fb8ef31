// The Discord gateway connection: the pure gateway_session (protocols.md §1a) driven over a
// websocket_client, with zlib-stream transport compression (G16). One run() loop connects, then
// runs `reader || writer || ticker` per connection (design.md §5); the session decides when to
// beat, resume, re-identify, back off or give up.
//
// - Dispatches (op 0) reach the handler in the order received, after each batch of actions.
// - enqueue() hands a payload to the session's send budget (G13); heartbeats, Identify and
//   Resume go first, by the session's choice.
// - Exactly one write is in flight: every frame goes through one outbox drained by one writer,
//   which also performs the closes the session asks for (B1).
// - pause_reading(true) stops reading frames after the one being read, once the session is
//   established (backpressure: the kernel's socket buffer and Discord hold what arrives
//   meanwhile); heartbeats, sends and closes go on, and the session does not take an unread
//   ACK for a zombie connection. pause_reading(false) reads again. The choice holds across
//   reconnects, whose handshake is read regardless.
// - stop() closes with 1000 (the session ends server-side too, G11) and ends run(); stop(true)
//   closes with a resumable code instead, and resumable() then tells a later process where
//   to resume (options.resume_from).
// Executor: everything runs on the executor given to the constructor; not thread-safe. The token
// is handed to the session only and never logged.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>

#include <boost/asio/steady_timer.hpp>

#include "adapters/discord/gateway_session.hpp"
#include "adapters/discord/zlib_stream_inflater.hpp"
#include "adapters/transport/websocket_client.hpp"
#include "async/session_timer.hpp"

namespace tweetup {

// G14: 5 s between Identifies in one rate-limit bucket (max_concurrency 1: the whole bot), plus
// a margin: the gateway times an Identify when it reads it, and a first one read a few ms late
// made the next one look early (op 9 d:false, and 5 s more lost).
inline constexpr std::chrono::milliseconds identify_spacing{5250};

struct gateway_client_options {
  std::string token;        // bare bot token (G6)
  std::string gateway_url;  // from GET /gateway/bot (G1), without a query
  std::uint32_t intents = gateway_session::default_intents;
  bool compress = true;  // compress=zlib-stream (G16)
  std::string ca_file;   // extra trusted CAs for wss://
  // Between two Identifies of this connection's session (the adapter's identify_gate spaces
  // the shards' Identifies by bucket).
  std::chrono::milliseconds identify_spacing = tweetup::identify_spacing;
  // G13: at most send_limit payloads per send_window on one connection, heartbeats first.
  // Tests shrink the window to see the throttle work in seconds, not minutes.
  std::size_t send_limit = 110;
  std::chrono::milliseconds send_window{60000};
  // G15: this connection's shard; none for a bot that runs one (Identify then names none).
  std::optional<gateway_codec::shard> shard;
  // Awaited before each connection that will Identify rather than Resume: the adapter waits
  // there while Discord allows no more session starts (session_start_limit.hpp) and for the
  // shard's turn (identify_gate.hpp). Empty: none. After it returns, exactly one of the two
  // below follows: identify_sent when that connection's Identify goes out, identify_abandoned
  // when the connection ended (or never opened) before it did.
  std::function<async::task<void>()> before_identify;
  std::function<void()> identify_sent;
  std::function<void()> identify_abandoned;
  // A session an earlier process stopped resumably: resume it rather than identify.
  std::optional<gateway_session::resume_point> resume_from;
};

class gateway_client {
 public:
  using event_handler = std::function<void(gateway_event&)>;

  struct counters {
    std::uint64_t connects = 0;  // connections opened
    std::uint64_t identifies = 0;
    std::uint64_t resumes = 0;
    std::uint64_t read_pauses = 0;  // pause_reading(true) calls that stopped the reads
  };

  gateway_client(async::executor ex, gateway_client_options options);
  ~gateway_client();
  gateway_client(const gateway_client&) = delete;
  gateway_client& operator=(const gateway_client&) = delete;

  // Runs until stop() or a fatal close code; returns the fatal reason, or empty after stop().
  // `on_event` must outlive the returned task.
  async::task<std::string> run(event_handler on_event);
  // The server's close code that made run() fatal, if a close code did.
  std::optional<std::uint16_t> fatal_close_code() const { return fatal_close_code_; }
  // With `keep_session`, the session stays resumable for Discord (G11) and for resumable().
  void stop(bool keep_session = false);
  // Where a Resume of this session would pick up; none when there is no session to resume.
  std::optional<gateway_session::resume_point> resumable() const { return session_.resumable(); }
  // A payload (presence update…) behind the send budget; dropped with a warning when the
  // session refuses it (too large).
  void enqueue(std::string payload);
  void pause_reading(bool paused);
  bool reading_paused() const { return session_.reading_paused(); }

  // READY or RESUMED seen on the current connection.
  bool ready() const;
  // Payloads enqueued and not yet sent (held back by the send budget or a reconnect).
  std::size_t queued() const { return session_.queued(); }
  const std::string& user_id() const { return user_id_; }
  const std::string& application_id() const { return application_id_; }
  const counters& stats() const { return stats_; }

 private:
  using clock = std::chrono::steady_clock;
  using actions = gateway_session::actions;
  struct outgoing {
    std::string text;
    std::optional<std::uint16_t> close_code;  // set: close with this code instead of writing
    std::string close_reason;
  };

  void execute(actions batch);
  // Ends the hold that before_identify began, if any: identify_sent or identify_abandoned.
  void end_identify_turn(bool sent);
  void plan_disconnect(std::uint16_t code, std::string reason);
  void on_frame(const std::string& frame);

  async::task<void> run_connection();
  async::task<void> reader();
  async::task<void> writer();
  async::task<void> ticker();
  async::task<void> idle();
  // The session's timer is due: runs it. From ticker() while connected and idle() between
  // connections, both timer_.run() loops.
  void on_timer();

  async::executor ex_;
  gateway_client_options options_;
  websocket_client ws_;
  gateway_session session_;
  zlib_stream_inflater inflater_;
  async::session_timer timer_;  // the session's wake-ups and jitter
  boost::asio::steady_timer writer_signal_;
  boost::asio::steady_timer read_gate_;  // the reader waits on it while reading is paused
  std::deque<outgoing> outbox_;
  event_handler* handler_ = nullptr;  // while run() is active
  std::string connect_url_;
  gateway_action::connect_mode connect_mode_ = gateway_action::connect_mode::identify;
  std::string fatal_reason_;
  std::optional<std::uint16_t> fatal_close_code_;
  std::string shard_tag_;  // " (shard i of n)" in log lines when sharded, else empty
  std::string user_id_;
  std::string application_id_;
  counters stats_;
  bool connected_ = false;           // a connection's reader/writer/ticker are running
  bool disconnect_planned_ = false;  // the session asked to close the current connection
  bool connecting_ = false;
  bool need_connect_ = false;
  bool identify_turn_ = false;  // before_identify returned; neither callback has run yet
  bool stopping_ = false;
  std::uint16_t stop_close_code_ = gateway_session::normal_close;  // resumable_close: stop(true)
  bool finished_ = false;
};

}  // namespace tweetup
