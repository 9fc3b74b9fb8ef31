// The IRC client state machine for one bot connection (protocols.md §1c I1-I7, T2-T4). Pure and
// synchronous: it never reads a clock or a random source and does no I/O. The shell feeds it
// what happened (connected, a line, a disconnect, the timer fired) with `now` and, where a
// decision needs randomness (reconnect backoff), a `jitter` drawn uniformly from [0, 1); it
// answers with actions to perform in order.
//
// Contract with the shell:
// - perform the actions of each batch in order; the last wake_at of a batch is the only timer;
// - one line in, one line out: on_line gets one WebSocket message (W2), send_line is one message;
// - after a `disconnect` action do not report on_disconnected for that connection;
// - inputs that do not fit the current state (a stale line after a disconnect) are ignored;
// - send_line texts marked sensitive carry the password and must not be logged; reports never
//   carry it.
// Not thread-safe; lives on the adapter's one executor.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/irc/irc_action.hpp"
#include "adapters/irc/irc_message.hpp"

namespace tweetup::irc {

class irc_session {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  using actions = std::vector<irc_action>;

  struct settings {
    std::string nick;
    // Tried in order after 433/432/436, then nick_, nick_2, nick_3…, cut to NICKLEN (I4).
    std::vector<std::string> alt_nicks;
    std::string user;                   // USER's user name; empty means the nick
    std::string realname;               // empty means the nick
    std::vector<std::string> channels;  // joined after 001 (lowercased on Twitch, T2)
    std::string sasl_user;              // SASL PLAIN when set and offered (I2)
    // The SASL password, or in Twitch mode the OAuth token for PASS (T2). Held in memory only.
    std::string sasl_password;
    bool twitch = false;
    // I6: burst, then send_rate lines per second. 0 turns the throttle off (benchmarks only).
    double send_rate = 1.0;
    std::size_t send_burst = 4;
    std::chrono::milliseconds ping_idle{90000};        // I3: our own PING after this much silence
    std::chrono::milliseconds pong_timeout{60000};     // ...and reconnect after this much more
    std::chrono::milliseconds rejoin_delay{10000};     // after a KICK, and a first refused JOIN
    std::chrono::milliseconds join_retry_cap{600000};  // refused JOINs: the wait doubles to this
    // With echo-message, a PRIVMSG not echoed (nor refused) by then was lost on the way.
    std::chrono::milliseconds echo_wait{30000};
    std::chrono::milliseconds backoff_first{1000};  // doubles per failure...
    std::chrono::milliseconds backoff_cap{60000};   // ...up to this, times (0.5 + jitter)
    std::size_t queue_limit = 1000;                 // queued lines beyond this are dropped
    std::string quit_message = "Tweetup signing off";
  };

  enum class phase {
    idle,                // before start()
    waiting_to_connect,  // a reconnect is planned for later (backoff)
    connecting,          // a connect action is out
    registering,         // socket open, no 001 yet
    registered,          // 001 seen; channels joined and chat flows
    stopped,             // stop() or a fatal error; ignores every input
  };

  explicit irc_session(settings config);

  actions start(time_point now);
  actions on_connected(time_point now);
  // One IRC line, with or without its CR LF. Malformed lines give a report and change nothing.
  actions on_line(std::string_view line, time_point now);
  // The connection ended or could not be opened, without the session asking for it.
  actions on_disconnected(time_point now, double jitter);
  actions on_timer(time_point now, double jitter);
  // Queue a reply to a channel or nick: cleaned and split so each relayed line fits (I5, I7;
  // T3 on Twitch). Survives reconnects; sent once registered and, for a channel, joined, as the
  // throttle allows (I6, T3). A non-zero `receipt` rides on the message's last line
  // (send_line::receipt), or comes back in not_sent when the message will not go.
  actions say(std::string_view target, std::string_view text, time_point now,
              std::uint64_t receipt = 0);
  // Send QUIT and close; the session ignores everything afterwards. Queued lines are dropped:
  // the receipts among them come back in not_sent (not for good), as does that of a later say().
  actions stop(time_point now);

  phase current_phase() const { return phase_; }
  // The nick we are registered with, or are trying to register.
  const std::string& nick() const { return nick_; }
  std::size_t queued() const { return queue_.size(); }
  // PRIVMSGs sent on this connection that the server has not answered yet (echo-message).
  std::size_t unconfirmed() const { return unconfirmed_.size(); }
  // The byte length of our "nick!user@host" once known, else default_prefix_budget.
  std::size_t prefix_budget() const;
  // Whether we are in `channel` (as the server echoed our JOIN).
  bool in_channel(std::string_view channel) const;
  // Whether `nick` counts as a moderator in `channel` from NAMES/MODE tracking (IRC).
  bool is_moderator(std::string_view channel, std::string_view nick) const;

 private:
  struct member {
    std::string modes;  // channel prefix modes held, e.g. "o" or "qo"
  };
  struct channel_state {
    std::string name;                       // as the server spells it
    std::map<std::string, member> members;  // by case-folded nick
    bool self_moderator = false;            // Twitch USERSTATE (T3's 100 / 30 s)
  };
  struct queued_line {
    std::string target;
    std::string text;           // the whole line
    std::uint64_t receipt = 0;  // on a message's last line: its say() receipt
    std::uint64_t message = 0;  // on every line of a message with a receipt: that receipt
  };
  // A PRIVMSG sent, waiting for the server's echo or refusal.
  struct awaiting_echo {
    std::string target;  // as sent: folded when the answer comes, under the casemapping then
    std::string text;    // what follows "PRIVMSG target :"
    std::uint64_t message = 0;
    bool last = false;  // its message's last line, whose answer settles the receipt
    time_point sent_at;
  };
  enum class answer { relayed, lost, refused_for_now, refused_for_good };
  enum class casemapping { ascii, rfc1459, strict_rfc1459 };

  void finish(actions& out, time_point now) const;
  std::optional<time_point> next_deadline(time_point now) const;
  std::optional<time_point> next_send_slot(time_point now) const;
  std::deque<queued_line>::const_iterator next_sendable() const;
  void pump(actions& out, time_point now);
  void send_now(actions& out, std::string line, time_point now, bool sensitive = false);
  void plan_reconnect(actions& out, time_point now, double jitter);
  void drop_connection(actions& out, std::string reason, time_point now, double jitter);
  void reset_connection(time_point now);
  void handle(actions& out, const irc_message& message, time_point now);
  void handle_cap(actions& out, const irc_message& message, time_point now);
  void handle_isupport(actions& out, const irc_message& message, time_point now);
  void handle_welcome(actions& out, const irc_message& message, time_point now);
  void handle_privmsg(actions& out, const irc_message& message);
  void handle_mode(const irc_message& message);
  void handle_join_refused(actions& out, const irc_message& message, time_point now);
  // Drops the queued lines for `channel` (it will not have us), settling their messages;
  // returns how many.
  std::size_t drop_lines_for(actions& out, std::string_view channel, bool for_good);
  // A message whose last line will not be sent: delivered when a line of it was relayed, left
  // to the answer of its newest line still unanswered, else not sent.
  void drop_message_end(actions& out, std::uint64_t receipt, bool for_good);
  // The message of `receipt` is done: delivered when a line of it was relayed, else not sent.
  void settle_message(actions& out, std::uint64_t receipt, bool for_good);
  // Whether the server echoes our PRIVMSGs, so that a receipt waits for the echo.
  bool echoes() const;
  // The server's answer to one of our PRIVMSGs to `target`: its echo (with the `echoed` text,
  // which picks the line among several to the target) or a refusal (`how`), for the oldest
  // one when the text does not tell. The ones sent before it got none: they were lost.
  void answer_sent(actions& out, std::string_view target, std::optional<std::string_view> echoed,
                   answer how);
  // The first `count` unanswered lines got no answer: lost, with the connection, by expiry, or
  // at stop().
  void settle_unconfirmed(actions& out, std::size_t count, std::string_view why);
  // A line's answer, for its message: a message counts as sent once any of its lines was
  // relayed (sending it again would repeat those), as refused when none was.
  void settle_line(actions& out, const awaiting_echo& line, answer how);
  void handle_invite(actions& out, const irc_message& message, time_point now);
  // Whether `channel` is one of config_.channels, under the server's casemapping.
  bool configured(std::string_view channel) const;
  // The next JOIN of `channel` at `at` (or none), in place of any planned before.
  void plan_rejoin(const std::string& channel, std::optional<time_point> at);
  void handle_names(const irc_message& message);
  void try_next_nick(actions& out, bool erroneous, time_point now);
  void join_channels(actions& out, const std::vector<std::string>& names, time_point now);
  void end_cap(actions& out, time_point now);
  void remember_self(std::string_view source);
  std::string fold(std::string_view name) const;
  bool is_self(std::string_view nick) const;
  bool is_channel(std::string_view name) const;
  // The channel a target names: "#chan" for "#chan" and for "@#chan" (STATUSMSG); else itself.
  std::string_view channel_of(std::string_view target) const;
  std::string moderator_modes() const;
  channel_state* find_channel(std::string_view name);
  const channel_state* find_channel(std::string_view name) const;

  settings config_;
  phase phase_ = phase::idle;
  // Connections lost in a row: before 001, or within stable_connection after it.
  int failures_ = 0;
  time_point registered_at_{};  // the last 001
  static constexpr std::chrono::seconds stable_connection{60};
  // The longest nick the server takes: 005 NICKLEN, or learned from a 432 (I4); 0 while
  // unknown. Kept across connections, since 005 comes only after registration.
  std::size_t nick_max_ = 0;
  std::optional<time_point> connect_at_;

  // Per connection.
  std::string nick_;
  std::size_t nick_attempt_ = 0;
  bool nick_generated_ = false;  // nick_ is the configured nick with a suffix
  std::string self_user_;
  std::string self_host_;
  std::vector<std::string> offered_caps_;
  std::vector<std::string> enabled_caps_;
  bool cap_ls_done_ = false;
  bool cap_end_sent_ = false;
  bool bot_mode_sent_ = false;
  time_point last_received_{};
  std::optional<time_point> ping_sent_at_;
  unsigned ping_count_ = 0;
  std::string chantypes_ = "#&";
  std::string prefix_modes_ = "qaohv";  // MIRC PREFIX default we assume before 005
  std::string prefix_chars_ = "~&@%+";
  std::string list_modes_ = "beI";      // CHANMODES type A
  std::string always_arg_modes_ = "k";  // type B
  std::string set_arg_modes_ = "l";     // type C
  casemapping casemapping_ = casemapping::rfc1459;
  std::map<std::string, channel_state> channels_;  // by case-folded name
  // The next JOIN after a KICK or a refused JOIN: one per folded channel, by name as the
  // server spelled it.
  std::map<std::string, time_point> rejoin_at_;
  // Folded: the channels that refused our JOIN (471 - 475) since we last joined them, and
  // whether their lines are refused for good (474 banned, 475 keyed: the operators' decision)
  // or only for now (471 full, 473 invite-only: a limit raised or an INVITE ends them).
  std::map<std::string, bool> unjoinable_;
  // Folded: the wait before the JOIN after the next refusal; it doubles with each refusal.
  std::map<std::string, std::chrono::milliseconds> join_retry_;
  std::map<std::string, time_point> invited_join_at_;  // folded: the last JOIN an INVITE made

  // Sending: a GCRA form of the token bucket (I6); `tat_` is the theoretical arrival time.
  time_point tat_{};
  std::deque<time_point> chat_sent_;  // Twitch: PRIVMSGs within the last 30 s (T3)
  std::deque<queued_line> queue_;
  std::deque<awaiting_echo> unconfirmed_;  // in the order sent, which is the order answered
  std::set<std::uint64_t> relayed_;        // messages of which a line was echoed, by receipt
  // The queued line at `at` split again when our prefix has grown past what it was split for;
  // returns the first of its parts.
  std::deque<queued_line>::iterator refit(std::deque<queued_line>::iterator at);
};

}  // namespace tweetup::irc
