// The Discord gateway state machine (protocols.md §1a G4-G14, §1e). Pure and synchronous: it
// never reads a clock or a random source and does no I/O. The shell feeds it what happened
// (connected, a text frame, a close, the timer fired) with `now` and, where a decision needs
// randomness, a `jitter` drawn uniformly from [0, 1); it answers with actions to perform in order.
//
// Contract with the shell:
// - perform the actions of each batch in order; the last wake_at of a batch is the only timer;
// - after a `close` action the session has already planned what comes next: do not report
//   on_closed for a close the session asked for;
// - report on_closed only for closes the session did not ask for (server close frame, EOF);
// - inputs that do not fit the current state (a stale frame after a close) are ignored.
// Not thread-safe; lives on the adapter's one executor.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/discord/gateway_action.hpp"
#include "adapters/discord/gateway_codec.hpp"

namespace tweetup {

class gateway_session {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  using actions = std::vector<gateway_action>;

  // G11: 1000 ends the session for Discord too; any other code but 1001 leaves it resumable.
  // 4000 is what DPY uses (L3).
  static constexpr std::uint16_t normal_close = 1000;
  static constexpr std::uint16_t resumable_close = 4000;

  // G7: GUILDS | GUILD_MESSAGES | DIRECT_MESSAGES | MESSAGE_CONTENT.
  static constexpr std::uint32_t default_intents = 1u | 512u | 4096u | 32768u;

  // What a Resume needs (G9): kept by one process at its stop and given to the next, so that
  // the events said while no process was connected are replayed rather than lost (G11).
  struct resume_point {
    std::string session_id;
    std::string resume_url;  // without a query
    std::int64_t sequence = 0;
  };

  struct settings {
    std::string token;  // bare bot token (G6); held in memory only, never logged
    std::uint32_t intents = default_intents;
    std::string gateway_url;                   // cached from GET /gateway/bot (G1), without a query
    std::string query = "v=10&encoding=json";  // added to every URL, also on resume (G9)
    gateway_codec::connection_properties properties;
    std::optional<gateway_codec::shard> shard;
    std::chrono::milliseconds identify_spacing{5000};  // G14 with max_concurrency 1
    std::chrono::milliseconds backoff_first{1000};     // L10: doubles per failure...
    std::chrono::milliseconds backoff_cap{60000};      // ...up to this, times (0.5 + jitter)
    std::chrono::milliseconds hello_timeout{30000};    // a connection that never says Hello
    // After op 9 d:false, the new Identify waits a random time in this range (DDOCS gateway.mdx
    // §Resuming: "between 1 and 5 seconds"), and identify_spacing after the last one.
    std::chrono::milliseconds invalid_session_wait_min{1000};
    std::chrono::milliseconds invalid_session_wait_max{5000};
    std::size_t send_limit = 110;  // G13: per send_window, all sends
    std::chrono::milliseconds send_window{60000};
    // A session an earlier process left resumable: start() resumes it instead of identifying.
    // When Discord no longer knows it, op 9 d:false leads to a new Identify as usual.
    std::optional<resume_point> resume_from;
  };

  enum class phase {
    idle,                // before start()
    waiting_to_connect,  // a reconnect is planned for later (backoff, identify spacing)
    connecting,          // a connect action is out; waiting for on_connected/on_connect_failed
    awaiting_hello,      // socket open, no Hello yet
    handshaking,         // Hello seen; Identify or Resume sent or due, no READY/RESUMED yet
    established,         // READY or RESUMED seen; queued sends flow
    stopped,             // stop() or a fatal close code; ignores every input
  };

  explicit gateway_session(settings config);

  // Connect to the gateway URL and identify, or to settings::resume_from's URL and resume.
  actions start(time_point now);
  actions on_connected(time_point now);
  actions on_connect_failed(time_point now, double jitter);
  // One text frame (already inflated, G16). Malformed frames give a report and change nothing.
  actions on_frame(std::string_view text, time_point now, double jitter);
  // `code` is nullopt when the connection ended without a close frame.
  actions on_closed(std::optional<std::uint16_t> code, time_point now, double jitter);
  actions on_timer(time_point now, double jitter);
  // Queue an encoded payload (presence update, member request...) behind the send budget (G13).
  // Over 4096 bytes it is refused with a report (G3). Survives reconnects.
  actions enqueue(std::string payload, time_point now);
  // Stop on purpose. Closes with 1000, which also ends the session server-side (G11); with
  // `keep_session`, with a resumable code instead, so that another process may resume it
  // (resumable() says from where).
  actions stop(time_point now, bool keep_session = false);
  // Where a Resume would pick up now; none before READY or after the session was dropped.
  std::optional<resume_point> resumable() const;
  // The shell asks to stop (true) or go back to (false) reading frames, as backpressure. While
  // reads are held (below), a heartbeat ACK may be waiting unread, and after they resume it may
  // sit behind the backlog for longer than an interval. So from a pause until the next ACK, a
  // missing ACK is a zombie connection only after a whole interval in which reads were not held
  // and no frame at all arrived.
  // Heartbeats keep going out either way (G5). Holds across reconnects.
  void set_reading_paused(bool paused);
  bool reading_paused() const { return reading_paused_; }
  // Whether the shell should leave the next frame unread: reading is paused and the session is
  // established. Hello, READY, RESUMED and a resume's replay are read regardless, or a new
  // connection could not get going (it would time out waiting for Hello and reconnect).
  bool reads_held() const { return reading_paused_ && phase_ == phase::established; }

  phase current_phase() const { return phase_; }
  const std::string& session_id() const { return session_id_; }
  const std::string& resume_gateway_url() const { return resume_url_; }
  std::optional<std::int64_t> last_sequence() const { return sequence_; }
  std::size_t queued() const { return queue_.size(); }
  // Round trip of the last acknowledged heartbeat.
  std::optional<std::chrono::nanoseconds> heartbeat_latency() const { return latency_; }
  // When queued sends are held back by the budget: when the next one may go.
  std::optional<time_point> next_send_slot(time_point now) const;
  std::optional<time_point> next_wakeup() const;

 private:
  using connect_mode = gateway_action::connect_mode;

  void pump(actions& out, time_point now, double jitter);
  void finish(actions& out, time_point now);
  // Plans the next connection, no sooner than `not_before` when that is set.
  void plan_reconnect(actions& out, connect_mode mode, time_point now, double jitter,
                      std::optional<time_point> not_before = std::nullopt);
  // Ends the current connection (with a close frame when `close_code` is set) and plans the
  // next one: a resume when `keep_session` and there is a session, otherwise a new identify.
  void reconnect(actions& out, bool keep_session, std::optional<std::uint16_t> close_code,
                 std::string reason, bool failed, time_point now, double jitter,
                 std::optional<time_point> not_before = std::nullopt);
  // Moves `event` into a deliver action when it is a dispatch; leaves it alone otherwise.
  void handle(actions& out, gateway_event& event, time_point now, double jitter);
  void send_priority(actions& out, gateway_action::send_kind kind, std::string payload,
                     time_point now);
  void send_heartbeat(actions& out, time_point now);
  void send_identify(actions& out, time_point now);
  void release_queued(actions& out, time_point now);
  std::size_t sends_in_window(time_point now) const;
  time_point::duration slot_held() const;
  void forget_session();
  void reset_connection();
  std::string url_for(connect_mode mode) const;
  bool connected() const;

  settings config_;
  phase phase_ = phase::idle;
  connect_mode mode_ = connect_mode::identify;
  int failures_ = 0;  // connections lost before READY/RESUMED, in a row
  std::optional<time_point> connect_at_;
  std::optional<time_point> connected_at_;
  std::optional<time_point> last_identify_;
  std::optional<time_point> identify_at_;
  bool identified_on_connection_ = false;  // G6: one Identify per connection

  std::string session_id_;
  std::string resume_url_;
  std::optional<std::int64_t> sequence_;

  std::optional<std::chrono::milliseconds> heartbeat_interval_;
  std::optional<time_point> next_heartbeat_;
  std::optional<time_point> last_heartbeat_sent_;
  bool awaiting_ack_ = false;
  // While awaiting_ack_: when the first beat still without an ACK went out. A beat the server
  // asked for (op 1) just before a timed one has had no time for its ACK yet.
  time_point unacked_since_{};
  bool reading_paused_ = false;
  bool ack_may_be_unread_ = false;  // reads were held since the last ACK
  bool held_since_beat_ = false;    // reads were held since the last timed heartbeat
  bool frame_since_beat_ = false;   // a frame arrived since the last timed heartbeat
  std::optional<std::chrono::nanoseconds> latency_;

  std::deque<time_point> sent_;  // every send of this connection within send_window (G13)
  std::deque<std::string> queue_;
};

}  // namespace tweetup
