#include "adapters/discord/gateway_session.hpp"

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <utility>
#include <variant>

#include "adapters/discord/gateway_close_policy.hpp"
#include "adapters/reconnect_delay.hpp"

namespace tweetup {

namespace {

using send_kind = gateway_action::send_kind;
using steady_duration = std::chrono::steady_clock::duration;

// G9: the resume URL gets the same query as the first connection. READY's resume_gateway_url
// comes without one.
std::string with_query(std::string base, const std::string& query) {
  if (query.empty()) return base;
  if (base.find('?') != std::string::npos) return base + "&" + query;
  while (!base.empty() && base.back() == '/')
    base.pop_back();
  return base + "/?" + query;
}

}  // namespace

gateway_session::gateway_session(settings config) : config_(std::move(config)) {}

bool gateway_session::connected() const {
  return phase_ == phase::awaiting_hello || phase_ == phase::handshaking ||
         phase_ == phase::established;
}

gateway_session::actions gateway_session::start(time_point now) {
  actions out;
  if (phase_ != phase::idle) return out;
  if (const auto& from = config_.resume_from;
      from && !from->session_id.empty() && !from->resume_url.empty()) {
    session_id_ = from->session_id;
    resume_url_ = from->resume_url;
    sequence_ = from->sequence;
  }
  plan_reconnect(out, sequence_ ? connect_mode::resume : connect_mode::identify, now, 0.0);
  finish(out, now);
  return out;
}

gateway_session::actions gateway_session::on_connected(time_point now) {
  actions out;
  if (phase_ == phase::connecting) {
    reset_connection();
    phase_ = phase::awaiting_hello;
    connected_at_ = now;
  }
  finish(out, now);
  return out;
}

gateway_session::actions gateway_session::on_connect_failed(time_point now, double jitter) {
  actions out;
  if (phase_ == phase::connecting) {
    // L10: a failing network must not turn into a reconnect spin.
    ++failures_;
    plan_reconnect(out, mode_, now, jitter);
  }
  finish(out, now);
  return out;
}

gateway_session::actions gateway_session::on_frame(std::string_view text, time_point now,
                                                   double jitter) {
  actions out;
  if (!connected()) {
    finish(out, now);
    return out;
  }
  frame_since_beat_ = true;  // something arrived: the connection is not dead
  // Typically a deliver and a wake_at: room for both, so the event is not moved by growth. (Not
  // more: an action is ~400 bytes, and a bigger block misses malloc's per-thread cache.)
  out.reserve(2);
  auto decoded = gateway_codec::decode(text);
  if (auto* problem = std::get_if<gateway_codec::error>(&decoded)) {
    out.push_back(
        {gateway_action::report{"ignored a malformed gateway frame: " + problem->detail}});
  } else {
    handle(out, std::get<gateway_event>(decoded), now, jitter);
  }
  pump(out, now, jitter);
  finish(out, now);
  return out;
}

gateway_session::actions gateway_session::on_closed(std::optional<std::uint16_t> code,
                                                    time_point now, double jitter) {
  actions out;
  if (!connected()) {
    finish(out, now);
    return out;
  }
  auto policy = gateway_close_policy::of(code);
  if (policy.next == gateway_close_policy::step::fatal) {
    // L4: looping on these would only burn the daily Identify budget (G6).
    reset_connection();
    phase_ = phase::stopped;
    out.push_back({gateway_action::fatal{"Discord gateway: " + policy.reason, code}});
    return out;
  }
  out.push_back({gateway_action::report{"gateway closed: " + policy.reason}});
  reconnect(out, policy.next == gateway_close_policy::step::resume, std::nullopt, {},
            phase_ != phase::established, now, jitter);
  pump(out, now, jitter);
  finish(out, now);
  return out;
}

gateway_session::actions gateway_session::on_timer(time_point now, double jitter) {
  actions out;
  pump(out, now, jitter);
  finish(out, now);
  return out;
}

gateway_session::actions gateway_session::enqueue(std::string payload, time_point now) {
  actions out;
  if (phase_ == phase::stopped) {
    out.push_back({gateway_action::report{"refused a gateway payload: the session has stopped"}});
    return out;
  }
  if (payload.size() > gateway_codec::max_payload_bytes) {
    // G3: sending it would get the connection closed with 4002.
    out.push_back(
        {gateway_action::report{"refused a gateway payload of " + std::to_string(payload.size()) +
                                " bytes: the gateway allows 4096"}});
  } else {
    queue_.push_back(std::move(payload));
    if (phase_ == phase::established) release_queued(out, now);
  }
  finish(out, now);
  return out;
}

gateway_session::actions gateway_session::stop(time_point now, bool keep_session) {
  actions out;
  if (phase_ == phase::stopped) return out;
  if (connected()) {
    out.push_back({gateway_action::close{keep_session ? resumable_close : normal_close,
                                         keep_session ? "restarting" : "shutting down"}});
  }
  if (!keep_session) forget_session();
  reset_connection();
  connect_at_.reset();
  phase_ = phase::stopped;
  finish(out, now);
  return out;
}

void gateway_session::handle(actions& out, gateway_event& event, time_point now, double jitter) {
  std::visit(
      [&](auto& data) {
        using type = std::decay_t<decltype(data)>;
        if constexpr (std::is_same_v<type, gateway_event::hello>) {
          if (phase_ != phase::awaiting_hello) {
            out.push_back({gateway_action::report{"ignored a second Hello on one connection"}});
            return;
          }
          // G4: the first beat after interval * jitter spreads a fleet's reconnects; then the
          // interval from Hello, never a hard-coded one.
          heartbeat_interval_ = data.heartbeat_interval;
          next_heartbeat_ = now + scaled(data.heartbeat_interval, clamp_jitter(jitter));
          awaiting_ack_ = false;
          phase_ = phase::handshaking;
          if (mode_ == connect_mode::resume && !session_id_.empty() && sequence_) {
            auto payload = gateway_codec::encode_resume(config_.token, session_id_, *sequence_);
            if (std::holds_alternative<std::string>(payload)) {
              send_priority(out, send_kind::resume, std::move(std::get<std::string>(payload)), now);
              return;
            }
            out.push_back({gateway_action::report{"cannot resume: " +
                                                  std::get<gateway_codec::error>(payload).detail}});
            forget_session();
          }
          mode_ = connect_mode::identify;
          // pump() sends it, after a heartbeat that is due at the same instant (G4: heartbeats
          // start before Identify). G14: with max_concurrency 1, Identifies at least
          // identify_spacing apart; heartbeats run meanwhile.
          identify_at_ = now;
          if (last_identify_) {
            identify_at_ = std::max(now, *last_identify_ + config_.identify_spacing);
          }
        } else if constexpr (std::is_same_v<type, gateway_event::heartbeat_request>) {
          // G5, L11: answer at once, outside the timer, which keeps its cadence.
          send_heartbeat(out, now);
        } else if constexpr (std::is_same_v<type, gateway_event::heartbeat_ack>) {
          if (awaiting_ack_ && last_heartbeat_sent_) latency_ = now - *last_heartbeat_sent_;
          awaiting_ack_ = false;
          ack_may_be_unread_ = false;  // the backlog that hid it has been read
        } else if constexpr (std::is_same_v<type, gateway_event::reconnect>) {
          // L12: op 7 means "resume now" in every state, even before Hello.
          reconnect(out, true, resumable_close, "reconnect requested", false, now, jitter);
        } else if constexpr (std::is_same_v<type, gateway_event::invalid_session>) {
          // G10: false drops the session; the new Identify goes to the cached gateway URL,
          // after a random wait (settings::invalid_session_wait_min).
          std::optional<time_point> not_before;
          if (!data.resumable) {
            const auto span = config_.invalid_session_wait_max - config_.invalid_session_wait_min;
            not_before =
                now + config_.invalid_session_wait_min + scaled(span, clamp_jitter(jitter));
          }
          reconnect(out, data.resumable, resumable_close, "invalid session", false, now, jitter,
                    not_before);
        } else if constexpr (std::is_same_v<type, gateway_event::unknown_op>) {
          out.push_back({gateway_action::report{"ignored gateway op " + std::to_string(event.op)}});
        } else {
          // A dispatch. L6: sequence only from a non-null s, and never backwards.
          if (event.s && (!sequence_ || *event.s > *sequence_)) sequence_ = event.s;
          if constexpr (std::is_same_v<type, gateway_event::ready>) {
            session_id_ = data.session_id;  // G8
            resume_url_ = data.resume_gateway_url;
            phase_ = phase::established;
            failures_ = 0;
          } else if constexpr (std::is_same_v<type, gateway_event::resumed>) {
            phase_ = phase::established;
            failures_ = 0;
          }
          if (reads_held()) ack_may_be_unread_ = held_since_beat_ = true;
          // Built in place: the event's one move on its way to the shell.
          out.emplace_back().what.emplace<gateway_action::deliver>(std::move(event));
        }
      },
      event.data);
}

void gateway_session::pump(actions& out, time_point now, double jitter) {
  if (phase_ == phase::waiting_to_connect && connect_at_ && now >= *connect_at_) {
    connect_at_.reset();
    phase_ = phase::connecting;
    out.push_back({gateway_action::connect{url_for(mode_), mode_}});
    return;
  }
  if (phase_ == phase::awaiting_hello && connected_at_ &&
      now >= *connected_at_ + config_.hello_timeout) {
    reconnect(out, true, resumable_close, "no Hello", true, now, jitter);
    return;
  }
  if (connected() && next_heartbeat_ && heartbeat_interval_ && now >= *next_heartbeat_) {
    // After a pause the ACK may sit behind a backlog of frames that takes the shell longer than
    // an interval to read; while reads are held or frames keep coming, the connection is
    // alive. Only an interval with nothing read at all, or reading without an ACK once no
    // backlog can hide it, is a zombie.
    const bool ack_may_be_late = ack_may_be_unread_ && (held_since_beat_ || frame_since_beat_);
    // A beat sent less than half an interval ago (one the server asked for) may still get its
    // ACK; a timed beat, even one the shell sent late, has had about an interval.
    const bool ack_overdue = now - unacked_since_ >= *heartbeat_interval_ / 2;
    if (awaiting_ack_ && ack_overdue && !ack_may_be_late) {
      // G5, L2: no ACK between two beats is a zombie connection. Close with a non-1000 code
      // so the session survives, and resume at once.
      out.push_back({gateway_action::report{"zombie gateway connection: no heartbeat ACK"}});
      reconnect(out, true, resumable_close, "zombie connection", phase_ != phase::established, now,
                jitter);
      return;
    }
    send_heartbeat(out, now);
    if (reads_held()) ack_may_be_unread_ = true;
    held_since_beat_ = reads_held();
    frame_since_beat_ = false;
    auto next = *next_heartbeat_ + *heartbeat_interval_;
    if (next <= now) next = now + *heartbeat_interval_;  // the shell woke us very late
    next_heartbeat_ = next;
  }
  if (phase_ == phase::handshaking && identify_at_ && now >= *identify_at_) {
    identify_at_.reset();
    send_identify(out, now);
  }
  if (phase_ == phase::established) release_queued(out, now);
}

void gateway_session::finish(actions& out, time_point /*now*/) {
  if (auto at = next_wakeup()) out.push_back({gateway_action::wake_at{*at}});
}

void gateway_session::reconnect(actions& out, bool keep_session,
                                std::optional<std::uint16_t> close_code, std::string reason,
                                bool failed, time_point now, double jitter,
                                std::optional<time_point> not_before) {
  if (close_code) out.push_back({gateway_action::close{*close_code, std::move(reason)}});
  if (failed) ++failures_;
  if (!keep_session) forget_session();
  reset_connection();
  const bool can_resume = !session_id_.empty() && !resume_url_.empty() && sequence_;
  plan_reconnect(out, can_resume ? connect_mode::resume : connect_mode::identify, now, jitter,
                 not_before);
}

void gateway_session::plan_reconnect(actions& out, connect_mode mode, time_point now, double jitter,
                                     std::optional<time_point> not_before) {
  mode_ = mode;
  time_point at = std::max(now, not_before.value_or(now));
  if (failures_ > 0) {
    // L10: first_delay doubling per failure up to the cap, times (0.5 + jitter) so that many
    // bots cut off together do not return together.
    auto delay = config_.backoff_first;
    for (int i = 1; i < failures_ && delay < config_.backoff_cap; ++i)
      delay *= 2;
    delay = std::min(delay, config_.backoff_cap);
    at += scaled(delay, 0.5 + clamp_jitter(jitter));
  }
  // G14: connecting no earlier than the Identify may go means the new connection never sits
  // without identifying; the check on Hello stays as the guard.
  if (mode == connect_mode::identify && last_identify_) {
    at = std::max(at, *last_identify_ + config_.identify_spacing);
  }
  if (at <= now) {
    connect_at_.reset();
    phase_ = phase::connecting;
    out.push_back({gateway_action::connect{url_for(mode), mode}});
  } else {
    connect_at_ = at;
    phase_ = phase::waiting_to_connect;
  }
}

void gateway_session::send_priority(actions& out, send_kind kind, std::string payload,
                                    time_point now) {
  sent_.push_back(now);
  out.push_back({gateway_action::send{kind, std::move(payload)}});
}

void gateway_session::send_heartbeat(actions& out, time_point now) {
  auto payload = gateway_codec::encode_heartbeat(sequence_);
  // A heartbeat is a few dozen bytes; the error branch exists only because encode can fail.
  if (!std::holds_alternative<std::string>(payload)) return;
  send_priority(out, send_kind::heartbeat, std::move(std::get<std::string>(payload)), now);
  if (!awaiting_ack_) unacked_since_ = now;
  awaiting_ack_ = true;
  last_heartbeat_sent_ = now;
}

void gateway_session::send_identify(actions& out, time_point now) {
  if (identified_on_connection_) return;  // G6: a second Identify gets 4005
  auto payload = gateway_codec::encode_identify(config_.token, config_.intents, config_.properties,
                                                config_.shard);
  if (!std::holds_alternative<std::string>(payload)) {
    // Only the configuration can make Identify too large; retrying cannot help.
    out.push_back({gateway_action::close{normal_close, "cannot identify"}});
    reset_connection();
    phase_ = phase::stopped;
    out.push_back({gateway_action::fatal{
        "Discord gateway: cannot identify: " + std::get<gateway_codec::error>(payload).detail,
        std::nullopt}});
    return;
  }
  forget_session();  // a new session numbers its dispatches from 1 again
  identified_on_connection_ = true;
  last_identify_ = now;
  send_priority(out, send_kind::identify, std::move(std::get<std::string>(payload)), now);
}

// G13: Discord counts sends when they arrive, and a burst of 110 takes a while on the wire. If a
// send freed its slot exactly one window after it left, the head of the next burst could land
// within one window of the previous burst's tail and make 121 (the emulator saw it happen). So a
// send holds its slot for 1/60 longer than the window: one second of Discord's sixty.
gateway_session::time_point::duration gateway_session::slot_held() const {
  return config_.send_window + config_.send_window / 60;
}

void gateway_session::release_queued(actions& out, time_point now) {
  while (!sent_.empty() && sent_.front() + slot_held() <= now)
    sent_.pop_front();
  // G13, L7: every send counts against one window; queued ones stop at send_limit (110), which
  // leaves room under Discord's 120 for heartbeats, which are never held back.
  while (!queue_.empty() && sent_.size() < config_.send_limit) {
    sent_.push_back(now);
    out.push_back({gateway_action::send{send_kind::queued, std::move(queue_.front())}});
    queue_.pop_front();
  }
}

std::size_t gateway_session::sends_in_window(time_point now) const {
  return static_cast<std::size_t>(std::count_if(
      sent_.begin(), sent_.end(), [&](time_point at) { return at + slot_held() > now; }));
}

std::optional<gateway_session::time_point> gateway_session::next_send_slot(time_point now) const {
  const std::size_t in_window = sends_in_window(now);
  if (in_window < config_.send_limit) return std::nullopt;
  // The window is sorted; the slot frees when the oldest send that keeps it full expires.
  const std::size_t stale = sent_.size() - in_window;
  return sent_[stale + in_window - config_.send_limit] + slot_held();
}

std::optional<gateway_session::time_point> gateway_session::next_wakeup() const {
  std::optional<time_point> earliest;
  const auto consider = [&](std::optional<time_point> at) {
    if (at && (!earliest || *at < *earliest)) earliest = at;
  };
  if (phase_ == phase::waiting_to_connect) consider(connect_at_);
  if (phase_ == phase::awaiting_hello && connected_at_) {
    consider(*connected_at_ + config_.hello_timeout);
  }
  if (phase_ == phase::handshaking) consider(identify_at_);
  if (connected()) consider(next_heartbeat_);
  if (phase_ == phase::established && !queue_.empty() && sent_.size() >= config_.send_limit &&
      config_.send_limit > 0) {
    consider(sent_[sent_.size() - config_.send_limit] + slot_held());
  }
  return earliest;
}

std::optional<gateway_session::resume_point> gateway_session::resumable() const {
  if (session_id_.empty() || resume_url_.empty() || !sequence_) return std::nullopt;
  return resume_point{session_id_, resume_url_, *sequence_};
}

void gateway_session::forget_session() {
  session_id_.clear();
  resume_url_.clear();
  sequence_.reset();
}

void gateway_session::reset_connection() {
  connected_at_.reset();
  identify_at_.reset();
  identified_on_connection_ = false;
  heartbeat_interval_.reset();
  next_heartbeat_.reset();
  last_heartbeat_sent_.reset();
  awaiting_ack_ = false;
  ack_may_be_unread_ = false;
  held_since_beat_ = false;
  frame_since_beat_ = false;
  sent_.clear();
}

void gateway_session::set_reading_paused(bool paused) {
  reading_paused_ = paused;
  // Resuming keeps the flag: the ACK may sit behind the frames that queued up meanwhile.
  if (reads_held()) ack_may_be_unread_ = held_since_beat_ = true;
}

std::string gateway_session::url_for(connect_mode mode) const {
  return with_query(mode == connect_mode::resume ? resume_url_ : config_.gateway_url,
                    config_.query);
}

}  // namespace tweetup
