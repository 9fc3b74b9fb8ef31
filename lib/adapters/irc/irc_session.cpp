#include "adapters/irc/irc_session.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>

#include "adapters/irc/irc_text.hpp"
#include "adapters/reconnect_delay.hpp"

namespace tweetup::irc {

namespace {

using namespace std::chrono_literals;
using steady_duration = std::chrono::steady_clock::duration;

// What the queue holds for one part of a reply: "PRIVMSG <target> :<text>".
std::string privmsg_head(std::string_view target) {
  return "PRIVMSG " + std::string(target) + " :";
}

// W2/I5: 512 bytes with CR LF; over WebSocket the line carries none.
constexpr std::size_t max_line_bytes = 510;
// T3: 20 messages per 30 s, 100 where the bot moderates. Going over silences the bot for 30 min.
constexpr auto twitch_window = 30s;
constexpr std::size_t twitch_limit = 20;
constexpr std::size_t twitch_moderator_limit = 100;
// Twitch has no byte limit of its own below 500 code points of 4 bytes each (T3).
constexpr std::size_t twitch_max_bytes = twitch_max_code_points * 4;
// I2: AUTHENTICATE payloads go in 400-byte chunks.
constexpr std::size_t sasl_chunk = 400;
// A nick the server refuses this often in a row will not become acceptable with more digits.
constexpr std::size_t max_nick_attempts = 100;

std::string base64(std::string_view in) {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  if (i + 1 == in.size()) {
    const unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    const unsigned v =
        (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::vector<std::string_view> words(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ')
      ++i;
    const std::size_t start = i;
    while (i < text.size() && text[i] != ' ')
      ++i;
    if (i > start) out.push_back(text.substr(start, i - start));
  }
  return out;
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// A target we can put in a line without changing its meaning.
bool valid_target(std::string_view target) {
  return !target.empty() && target.front() != ':' &&
         target.find_first_of(std::string_view(" \r\n\0,", 5)) == std::string_view::npos;
}

// Twitch's badges tag: "broadcaster/1,subscriber/12" (T2 tags capability).
bool has_moderator_badge(const irc_message& message) {
  const auto badges = message.tag_value("badges");
  if (badges) {
    std::string_view rest = *badges;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const std::string_view badge = rest.substr(0, comma);
      const std::string_view name = badge.substr(0, badge.find('/'));
      if (name == "broadcaster" || name == "moderator") return true;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  const auto mod = message.tag_value("mod");
  return mod && *mod == "1";
}

}  // namespace

irc_session::irc_session(settings config) : config_(std::move(config)) {
  if (config_.twitch) {
    // T2: the login and the channel logins, lowercase.
    config_.nick = ascii_lower(config_.nick);
    for (std::string& channel : config_.channels)
      channel = ascii_lower(channel);
  }
  nick_ = config_.nick;
}

// ---- inputs -------------------------------------------------------------------------------

irc_session::actions irc_session::start(time_point now) {
  actions out;
  if (phase_ != phase::idle) return out;
  phase_ = phase::connecting;
  out.push_back({irc_action::connect{}});
  finish(out, now);
  return out;
}

irc_session::actions irc_session::on_connected(time_point now) {
  actions out;
  if (phase_ != phase::connecting) return out;
  reset_connection(now);
  phase_ = phase::registering;
  if (config_.twitch) {
    // T2: PASS, NICK, then Twitch's own capabilities; Twitch needs neither USER nor CAP END.
    if (!config_.sasl_password.empty()) {
      const bool prefixed = config_.sasl_password.starts_with("oauth:");
      send_now(out, "PASS " + std::string(prefixed ? "" : "oauth:") + config_.sasl_password, now,
               true);
    }
    send_now(out, "NICK " + nick_, now);
    send_now(out, "CAP REQ :twitch.tv/tags twitch.tv/commands twitch.tv/membership", now);
  } else {
    // I1: CAP LS 302, NICK and USER straight away, without waiting for a banner.
    const std::string& user = config_.user.empty() ? config_.nick : config_.user;
    const std::string& realname = config_.realname.empty() ? config_.nick : config_.realname;
    send_now(out, "CAP LS 302", now);
    send_now(out, "NICK " + nick_, now);
    send_now(out, "USER " + user + " 0 * :" + realname, now);
  }
  finish(out, now);
  return out;
}

irc_session::actions irc_session::on_line(std::string_view line, time_point now) {
  actions out;
  if (phase_ != phase::registering && phase_ != phase::registered) return out;
  // I3: any line proves the connection alive, so it answers our PING as well as a PONG does.
  last_received_ = now;
  ping_sent_at_.reset();
  if (const auto message = parse_irc_line(line)) {
    handle(out, *message, now);
  } else if (line.find_first_not_of("\r\n ") != std::string_view::npos) {
    out.push_back({irc_action::report{"ignored a malformed IRC line"}});
  }
  pump(out, now);
  finish(out, now);
  return out;
}

irc_session::actions irc_session::on_disconnected(time_point now, double jitter) {
  actions out;
  if (phase_ == phase::connecting || phase_ == phase::registering || phase_ == phase::registered) {
    // A connect that failed was no connection to lose; the shell has said why it failed.
    if (phase_ != phase::connecting) out.push_back({irc_action::report{"IRC connection lost"}});
    plan_reconnect(out, now, jitter);
  }
  finish(out, now);
  return out;
}

irc_session::actions irc_session::on_timer(time_point now, double jitter) {
  actions out;
  if (phase_ == phase::waiting_to_connect && connect_at_ && now >= *connect_at_) {
    connect_at_.reset();
    phase_ = phase::connecting;
    out.push_back({irc_action::connect{}});
  } else if (phase_ == phase::registering || phase_ == phase::registered) {
    if (ping_sent_at_ && now >= *ping_sent_at_ + config_.pong_timeout) {
      drop_connection(out, "no reply to our PING", now, jitter);
    } else if (!ping_sent_at_ && now >= last_received_ + config_.ping_idle) {
      // I3: an idle line may be dead without either side knowing; a PING finds out.
      send_now(out, "PING :tweetup-" + std::to_string(++ping_count_), now);
      ping_sent_at_ = now;
    }
  }
  if (phase_ == phase::registered) {
    std::size_t expired = 0;
    while (expired < unconfirmed_.size() &&
           unconfirmed_[expired].sent_at + config_.echo_wait <= now)
      ++expired;
    settle_unconfirmed(out, expired, "the server never echoed them");
    std::vector<std::string> due;
    for (auto it = rejoin_at_.begin(); it != rejoin_at_.end();) {
      if (now >= it->second) {
        due.push_back(it->first);
        it = rejoin_at_.erase(it);
      } else {
        ++it;
      }
    }
    join_channels(out, due, now);
  }
  pump(out, now);
  finish(out, now);
  return out;
}

irc_session::actions irc_session::say(std::string_view target, std::string_view text,
                                      time_point now, std::uint64_t receipt) {
  actions out;
  if (phase_ == phase::stopped) {
    if (receipt != 0) out.push_back({irc_action::not_sent{receipt, false}});
    return out;
  }
  // Says why nothing of the message is queued (and, for a receipt, whether it may go later).
  const auto refused = [&](std::string why, bool for_good) {
    out.push_back({irc_action::report{std::move(why)}});
    if (receipt != 0) out.push_back({irc_action::not_sent{receipt, for_good}});
    finish(out, now);
    return out;
  };
  if (!valid_target(target)) return refused("dropped a reply to an invalid IRC target", true);
  const std::string_view channel = channel_of(target);
  if (const auto refusal = unjoinable_.find(fold(channel)); refusal != unjoinable_.end()) {
    const bool for_good = refusal->second;
    return refused("dropped a reply to " + std::string(target) + ", which we could not join" +
                       (for_good ? "" : " yet"),
                   for_good);
  }
  // A message that waits for a receipt must be able to go: to a channel we are in or will
  // join, whole. Else its job would stay in flight, or post its first lines again at each try.
  if (receipt != 0 && is_channel(channel) && !in_channel(channel) && !configured(channel)) {
    return refused("dropped a notice to " + std::string(target) + ", which we are not in", true);
  }
  // I5: the relayed line, with our prefix, must fit 512 bytes; T3: Twitch counts characters.
  const std::vector<std::string> parts =
      config_.twitch ? split_chat_text(text, twitch_max_bytes, twitch_max_code_points)
                     : split_privmsg(target, text, prefix_budget());
  if (receipt != 0 && parts.empty()) return refused("dropped an empty notice", true);
  if (receipt != 0 && queue_.size() + parts.size() > config_.queue_limit) {
    return refused("send queue full: a notice of " + std::to_string(parts.size()) +
                       " line(s) waits for a later try",
                   false);
  }
  std::size_t dropped = 0;
  for (const std::string& part : parts) {
    if (queue_.size() >= config_.queue_limit) {
      ++dropped;
      continue;
    }
    queue_.push_back({std::string(target), privmsg_head(target) + part, 0, receipt});
  }
  if (dropped > 0) {
    out.push_back({irc_action::report{"send queue full: dropped " + std::to_string(dropped) +
                                      " IRC line(s)"}});
  } else if (receipt != 0) {
    queue_.back().receipt = receipt;  // whole (checked above)
  }
  pump(out, now);
  finish(out, now);
  return out;
}

irc_session::actions irc_session::stop(time_point now) {
  actions out;
  if (phase_ == phase::registering || phase_ == phase::registered) {
    send_now(out, "QUIT :" + config_.quit_message, now);
    out.push_back({irc_action::disconnect{"stopping"}});
  } else if (phase_ == phase::connecting) {
    out.push_back({irc_action::disconnect{"stopping"}});
  }
  // What the throttle still held will not go now (a fatal error stopped the session with its
  // queue as it was); a message with a receipt may go later.
  if (!queue_.empty()) {
    out.push_back({irc_action::report{std::to_string(queue_.size()) +
                                      " queued lines were dropped: the session stopped"}});
  }
  for (const auto& line : queue_) {
    if (line.receipt != 0) drop_message_end(out, line.receipt, false);
  }
  queue_.clear();
  settle_unconfirmed(out, unconfirmed_.size(), "the session stopped first");
  relayed_.clear();
  phase_ = phase::stopped;
  return out;
}

// ---- queries ------------------------------------------------------------------------------

std::size_t irc_session::prefix_budget() const {
  if (self_user_.empty() || self_host_.empty()) return default_prefix_budget;
  return nick_.size() + 1 + self_user_.size() + 1 + self_host_.size();
}

bool irc_session::in_channel(std::string_view channel) const {
  return find_channel(channel) != nullptr;
}

bool irc_session::is_moderator(std::string_view channel, std::string_view nick) const {
  const channel_state* state = find_channel(channel);
  if (!state) return false;
  const auto it = state->members.find(fold(nick));
  if (it == state->members.end()) return false;
  const std::string mods = moderator_modes();
  return it->second.modes.find_first_of(mods) != std::string::npos;
}

// ---- internals ----------------------------------------------------------------------------

void irc_session::reset_connection(time_point now) {
  nick_ = config_.nick;
  nick_attempt_ = 0;
  nick_generated_ = false;
  self_user_.clear();
  self_host_.clear();
  offered_caps_.clear();
  enabled_caps_.clear();
  cap_ls_done_ = false;
  cap_end_sent_ = false;
  bot_mode_sent_ = false;
  last_received_ = now;
  ping_sent_at_.reset();
  chantypes_ = "#&";
  prefix_modes_ = "qaohv";
  prefix_chars_ = "~&@%+";
  list_modes_ = "beI";
  always_arg_modes_ = "k";
  set_arg_modes_ = "l";
  casemapping_ = config_.twitch ? casemapping::ascii : casemapping::rfc1459;
  channels_.clear();
  rejoin_at_.clear();
  unjoinable_.clear();  // the new connection tries every channel again
  join_retry_.clear();
  invited_join_at_.clear();
  // I6: the server's flood counter starts afresh with each connection, and so does ours.
  // Twitch's limit (T3) is the account's over 30 s, whatever the connection: chat_sent_ stays.
  tat_ = now;
}

void irc_session::plan_reconnect(actions& out, time_point now, double jitter) {
  // Only a connection that stayed registered for a while ends the run of failures: a server
  // that drops the bot right after 001 (a ban, an excess flood) must still see it back off.
  if (phase_ == phase::registered && now - registered_at_ >= stable_connection) failures_ = 0;
  // Backoff: 1 s doubling to 60 s, times (0.5 + jitter) so that many bots do not reconnect
  // in step after a server restart.
  const double factor = std::pow(2.0, std::min(failures_, 30));
  const double base = std::min(static_cast<double>(config_.backoff_first.count()) * factor,
                               static_cast<double>(config_.backoff_cap.count()));
  const auto delay = scaled(std::chrono::milliseconds(static_cast<std::int64_t>(base)),
                            0.5 + clamp_jitter(jitter));
  ++failures_;
  phase_ = phase::waiting_to_connect;
  connect_at_ = now + delay;
  channels_.clear();
  rejoin_at_.clear();
  settle_unconfirmed(out, unconfirmed_.size(), "the connection ended first");
  out.push_back({irc_action::report{
      "reconnecting to IRC in " +
      std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(delay).count()) +
      " ms"}});
}

void irc_session::drop_connection(actions& out, std::string reason, time_point now, double jitter) {
  out.push_back({irc_action::report{"closing the IRC connection: " + reason}});
  out.push_back({irc_action::disconnect{std::move(reason)}});
  plan_reconnect(out, now, jitter);
}

void irc_session::send_now(actions& out, std::string line, time_point now, bool sensitive) {
  // I6: lines that cannot wait (registration, PONG, JOIN) still count against the server's
  // flood counter, so they use up a token when one is there, but never wait for one.
  if (!config_.twitch && config_.send_rate > 0.0) {
    const auto interval = scaled(1000ms, 1.0 / config_.send_rate);
    const auto full =
        now + interval * static_cast<long>(std::max<std::size_t>(1, config_.send_burst));
    tat_ = std::min(std::max(tat_, now) + interval, full);
  }
  out.push_back({irc_action::send_line{std::move(line), sensitive}});
}

std::optional<irc_session::time_point> irc_session::next_send_slot(time_point now) const {
  const auto next = next_sendable();
  if (next == queue_.end()) return std::nullopt;
  if (config_.twitch) {
    const channel_state* state = find_channel(next->target);
    const std::size_t limit =
        state && state->self_moderator ? twitch_moderator_limit : twitch_limit;
    std::size_t recent = 0;
    for (const time_point sent : chat_sent_)
      if (sent + twitch_window > now) ++recent;
    if (recent < limit) return now;
    // The oldest send that must leave the window before one more fits.
    return chat_sent_[chat_sent_.size() - limit] + twitch_window;
  }
  if (config_.send_rate <= 0.0) return now;
  const auto interval = scaled(1000ms, 1.0 / config_.send_rate);
  const auto tolerance =
      interval * static_cast<long>(std::max<std::size_t>(1, config_.send_burst) - 1);
  const time_point slot = std::max(tat_, now) - tolerance;
  return std::max(slot, now);
}

void irc_session::pump(actions& out, time_point now) {
  if (phase_ != phase::registered) return;
  while (!chat_sent_.empty() && chat_sent_.front() + twitch_window <= now)
    chat_sent_.pop_front();
  while (true) {
    const auto slot = next_send_slot(now);
    if (!slot || *slot > now) break;
    auto next = queue_.begin() + (next_sendable() - queue_.cbegin());
    if (!config_.twitch) next = refit(next);
    std::string line = std::move(next->text);
    std::uint64_t receipt = next->receipt;
    // The server answers each PRIVMSG, in order, with its echo or a refusal: a receipt waits
    // for that answer, not only for the write (a moderated channel refuses with 404).
    if (echoes()) {
      const std::size_t head = privmsg_head(next->target).size();
      unconfirmed_.push_back({next->target, line.substr(std::min(head, line.size())), next->message,
                              receipt != 0, now});
      receipt = 0;
    }
    queue_.erase(next);
    if (config_.twitch) {
      chat_sent_.push_back(now);
    } else if (config_.send_rate > 0.0) {
      tat_ = std::max(tat_, now) + scaled(1000ms, 1.0 / config_.send_rate);
    }
    out.push_back({irc_action::send_line{std::move(line), false, receipt}});
  }
}

std::deque<irc_session::queued_line>::iterator irc_session::refit(
    std::deque<queued_line>::iterator at) {
  // I5: a line was split for the prefix we had when it was queued; since then a reconnect may
  // have made us "tweetbot_" (433) or services a "Guest48213", and the host may have changed.
  const std::size_t head = privmsg_head(at->target).size();
  const std::size_t budget = privmsg_text_budget(at->target, prefix_budget());
  if (at->text.size() <= head + budget) return at;
  const auto parts =
      split_privmsg(at->target, std::string_view(at->text).substr(head), prefix_budget());
  if (parts.empty()) return at;
  const std::string target = at->target;
  std::uint64_t receipt = at->receipt;  // stays on the message's last line
  const std::uint64_t message = at->message;
  at = queue_.erase(at);
  // Inserted last part first, each before the one after it: `at` ends on the first.
  for (auto part = parts.rbegin(); part != parts.rend(); ++part) {
    at = queue_.insert(at, {target, privmsg_head(target) + *part, receipt, message});
    receipt = 0;
  }
  return at;
}

std::optional<irc_session::time_point> irc_session::next_deadline(time_point now) const {
  std::optional<time_point> next;
  const auto consider = [&next](time_point at) {
    if (!next || at < *next) next = at;
  };
  if (phase_ == phase::waiting_to_connect && connect_at_) consider(*connect_at_);
  if (phase_ == phase::registering || phase_ == phase::registered) {
    consider(ping_sent_at_ ? *ping_sent_at_ + config_.pong_timeout
                           : last_received_ + config_.ping_idle);
  }
  if (phase_ == phase::registered) {
    for (const auto& [name, at] : rejoin_at_)
      consider(at);
    if (!unconfirmed_.empty()) consider(unconfirmed_.front().sent_at + config_.echo_wait);
    if (const auto slot = next_send_slot(now)) consider(*slot);
  }
  return next;
}

void irc_session::finish(actions& out, time_point now) const {
  if (phase_ == phase::stopped) return;
  if (const auto at = next_deadline(now)) out.push_back({irc_action::wake_at{*at}});
}

std::string irc_session::fold(std::string_view name) const {
  // I7: nicks and channels compare under the server's CASEMAPPING; rfc1459 also folds []\~
  // to {}|^ (strict-rfc1459 leaves ~ alone).
  std::string out(name);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    } else if (casemapping_ != casemapping::ascii) {
      if (c == '[') c = '{';
      if (c == ']') c = '}';
      if (c == '\\') c = '|';
      if (c == '~' && casemapping_ == casemapping::rfc1459) c = '^';
    }
  }
  return out;
}

bool irc_session::is_self(std::string_view nick) const {
  return fold(nick) == fold(nick_);
}

bool irc_session::is_channel(std::string_view name) const {
  return is_channel_name(name, chantypes_);
}

std::string irc_session::moderator_modes() const {
  // Halfop and every rank above it moderate; on a network without halfops, op and above.
  auto rank = prefix_modes_.find('h');
  if (rank == std::string::npos) rank = prefix_modes_.find('o');
  if (rank == std::string::npos) return {};
  return prefix_modes_.substr(0, rank + 1);
}

std::string_view irc_session::channel_of(std::string_view target) const {
  // STATUSMSG ("@#chan") targets part of a channel; for joining and waiting it is that channel.
  std::string_view rest = target;
  while (!rest.empty() && prefix_chars_.find(rest.front()) != std::string::npos &&
         is_channel(rest.substr(1)))
    rest.remove_prefix(1);
  return rest;
}

std::deque<irc_session::queued_line>::const_iterator irc_session::next_sendable() const {
  // A line to a channel waits until the server has echoed our JOIN (after 001, a reconnect or
  // a KICK): sent earlier it would only earn 404 ERR_CANNOTSENDTOCHAN. Lines to nicks and to
  // joined channels pass it in order.
  return std::find_if(queue_.begin(), queue_.end(), [this](const queued_line& line) {
    const std::string_view channel = channel_of(line.target);
    return !is_channel(channel) || find_channel(channel) != nullptr;
  });
}

irc_session::channel_state* irc_session::find_channel(std::string_view name) {
  const auto it = channels_.find(fold(name));
  return it == channels_.end() ? nullptr : &it->second;
}

const irc_session::channel_state* irc_session::find_channel(std::string_view name) const {
  const auto it = channels_.find(fold(name));
  return it == channels_.end() ? nullptr : &it->second;
}

void irc_session::remember_self(std::string_view source) {
  const auto bang = source.find('!');
  const auto at = source.find('@');
  if (bang == std::string_view::npos || at == std::string_view::npos || at < bang) return;
  self_user_ = std::string(source.substr(bang + 1, at - bang - 1));
  self_host_ = std::string(source.substr(at + 1));
}

void irc_session::try_next_nick(actions& out, bool erroneous, time_point now) {
  // NICKLEN arrives in 005, after registration. Until then, a nick of ours refused as
  // erroneous (432) although it is only the configured one with a suffix was too long: the
  // next ones are one byte shorter (InspIRCd answers 432 to a nick over its maxnick).
  if (erroneous && nick_generated_ && nick_.size() > 1 &&
      (nick_max_ == 0 || nick_.size() - 1 < nick_max_))
    nick_max_ = nick_.size() - 1;
  ++nick_attempt_;
  if (nick_attempt_ > max_nick_attempts) {
    out.push_back({irc_action::disconnect{"no usable nick"}});
    out.push_back({irc_action::fatal{"the IRC server refused every nick tried, from '" +
                                     config_.nick + "' on; set irc.nick or irc.alt_nicks"}});
    phase_ = phase::stopped;
    return;
  }
  // I4: the configured alternatives first, then the nick with "_", "_2", "_3"…, cut so that
  // nick and suffix fit the longest nick the server takes.
  if (nick_attempt_ <= config_.alt_nicks.size()) {
    nick_ = config_.alt_nicks[nick_attempt_ - 1];
    nick_generated_ = false;
  } else {
    const std::size_t n = nick_attempt_ - config_.alt_nicks.size();
    const std::string suffix = n == 1 ? "_" : "_" + std::to_string(n);
    std::string base = config_.nick;
    if (nick_max_ > 0 && base.size() + suffix.size() > nick_max_)
      base.resize(nick_max_ > suffix.size() ? nick_max_ - suffix.size() : 0);
    nick_ = base + suffix;
    nick_generated_ = true;
  }
  out.push_back({irc_action::report{"nick taken or refused; trying " + nick_}});
  send_now(out, "NICK " + nick_, now);
}

void irc_session::join_channels(actions& out, const std::vector<std::string>& names,
                                time_point now) {
  // I5: one JOIN carries as many channels as fit the 510 bytes of a line.
  std::string line;
  for (const std::string& name : names) {
    if (!is_channel(name) || 5 + name.size() > max_line_bytes) {
      out.push_back({irc_action::report{"not joining '" + name + "': not a channel name"}});
      continue;
    }
    if (!line.empty() && line.size() + 1 + name.size() > max_line_bytes) {
      send_now(out, std::move(line), now);
      line.clear();
    }
    line += line.empty() ? "JOIN " + name : "," + name;
  }
  if (!line.empty()) send_now(out, std::move(line), now);
}

void irc_session::end_cap(actions& out, time_point now) {
  // I1: the server holds registration until CAP END, whatever happened in between.
  if (cap_end_sent_ || config_.twitch) return;
  cap_end_sent_ = true;
  send_now(out, "CAP END", now);
}

void irc_session::handle(actions& out, const irc_message& message, time_point now) {
  const std::string& command = message.command;
  if (command == "PING") {
    // I3: echo the token exactly, before registration too; it never waits in the queue.
    send_now(out, "PONG :" + std::string(message.param(0)), now);
    return;
  }
  if (command == "PONG") return;  // its arrival already reset the idle timer
  if (command == "CAP") return handle_cap(out, message, now);
  if (command == "AUTHENTICATE") {
    if (message.param(0) != "+" || cap_end_sent_ || config_.sasl_user.empty()) return;
    // I2: base64(authzid \0 authcid \0 password) in 400-byte chunks; a last chunk of exactly
    // 400 bytes (or an empty payload) is followed by "AUTHENTICATE +".
    std::string credentials = config_.sasl_user;
    credentials += '\0';
    credentials += config_.sasl_user;
    credentials += '\0';
    credentials += config_.sasl_password;
    const std::string payload = base64(credentials);
    for (std::size_t i = 0; i < payload.size(); i += sasl_chunk)
      send_now(out, "AUTHENTICATE " + payload.substr(i, sasl_chunk), now, true);
    if (payload.size() % sasl_chunk == 0) send_now(out, "AUTHENTICATE +", now, true);
    return;
  }
  if (command == "903") {
    out.push_back({irc_action::report{"SASL authentication succeeded as " + config_.sasl_user}});
    return end_cap(out, now);
  }
  if (command == "904" || command == "905" || command == "906" || command == "907") {
    // I2: carry on unauthenticated rather than never registering.
    if (command != "907")
      out.push_back({irc_action::report{"SASL authentication failed (" + command +
                                        "); continuing without it"}});
    return end_cap(out, now);
  }
  if (command == "001") return handle_welcome(out, message, now);
  if (command == "005") return handle_isupport(out, message, now);
  if (command == "396") {
    // RPL_VISIBLEHOST: the host others now see, and so the prefix our lines are relayed with.
    if (!message.param(1).empty()) self_host_ = std::string(message.param(1));
    return;
  }
  if (command == "433" || command == "432" || command == "436") {
    if (phase_ == phase::registering) try_next_nick(out, command == "432", now);
    return;
  }
  if (command == "471" || command == "473" || command == "474" || command == "475") {
    return handle_join_refused(out, message, now);
  }
  if (command == "INVITE") return handle_invite(out, message, now);
  if (command == "477" && is_channel(message.param(1)) && !in_channel(message.param(1))) {
    // A JOIN refused to nicks without an account (+r on Solanum, UnrealIRCd): for now.
    return handle_join_refused(out, message, now);
  }
  if (command == "404" || command == "477") {
    // Moderated, banned from speaking, or only for registered nicks: may pass (voice, unban).
    return answer_sent(out, message.param(1), std::nullopt, answer::refused_for_now);
  }
  if (command == "401" || command == "403" || command == "407" || command == "486" ||
      command == "492" || command == "531" || command == "716" || command == "936") {
    // No such nick or channel, too many targets, the target takes private messages only from
    // registered nicks, CTCP or private messages refused (InspIRCd), caller ID, a filtered
    // word: the same message would meet the same refusal.
    return answer_sent(out, message.param(1), std::nullopt, answer::refused_for_good);
  }
  if (command == "353") return handle_names(message);
  if (command == "PRIVMSG") return handle_privmsg(out, message);
  if (command == "MODE") return handle_mode(message);

  const std::string_view nick = message.source_nick();
  if (command == "JOIN") {
    const std::string_view name = message.param(0);
    if (is_self(nick)) {
      remember_self(message.source);
      channel_state fresh;
      fresh.name = std::string(name);
      channels_[fold(name)] = std::move(fresh);
      plan_rejoin(std::string(name), std::nullopt);
      unjoinable_.erase(fold(name));
      join_retry_.erase(fold(name));
    } else if (channel_state* state = find_channel(name)) {
      state->members.try_emplace(fold(nick));
    }
    return;
  }
  if (command == "PART") {
    if (is_self(nick)) {
      channels_.erase(fold(message.param(0)));
      // Parted by an oper (SAPART): one of ours is joined again after the next connect.
      if (!configured(message.param(0))) drop_lines_for(out, message.param(0), true);
    } else if (channel_state* state = find_channel(message.param(0))) {
      state->members.erase(fold(nick));
    }
    return;
  }
  if (command == "KICK") {
    const std::string_view name = message.param(0);
    const std::string_view victim = message.param(1);
    if (is_self(victim)) {
      channels_.erase(fold(name));
      // Only to a channel we serve: not one we were put in (a forward, an oper's SAJOIN).
      const bool ours = configured(name);
      plan_rejoin(std::string(name),
                  ours ? std::optional(now + config_.rejoin_delay) : std::nullopt);
      if (!ours) drop_lines_for(out, name, true);  // they would wait for a JOIN that never comes
      out.push_back({irc_action::report{"kicked from " + std::string(name) + " by " +
                                        std::string(nick) + (ours ? "; rejoining later" : "")}});
    } else if (channel_state* state = find_channel(name)) {
      state->members.erase(fold(victim));
    }
    return;
  }
  if (command == "QUIT") {
    for (auto& [key, state] : channels_)
      state.members.erase(fold(nick));
    return;
  }
  if (command == "NICK") {
    const std::string new_nick(message.param(0));
    if (is_self(nick)) nick_ = new_nick;
    for (auto& [key, state] : channels_) {
      const auto it = state.members.find(fold(nick));
      if (it == state.members.end()) continue;
      member moved = std::move(it->second);
      state.members.erase(it);
      state.members[fold(new_nick)] = std::move(moved);
    }
    return;
  }
  if (command == "USERSTATE") {
    // T3: the 100 / 30 s limit applies only where Twitch says we moderate.
    if (channel_state* state = find_channel(message.param(0)))
      state->self_moderator =
          has_moderator_badge(message) || fold(message.param(0)) == "#" + fold(nick_);
    return;
  }
  if (command == "RECONNECT" && config_.twitch) {
    // Twitch announces maintenance this way and expects a prompt reconnect.
    out.push_back({irc_action::report{"Twitch asked for a reconnect"}});
    out.push_back({irc_action::disconnect{"server asked for a reconnect"}});
    phase_ = phase::connecting;
    out.push_back({irc_action::connect{}});
    return;
  }
  if (command == "NOTICE" && config_.twitch && phase_ == phase::registering) {
    const std::string_view text = message.param(1);
    if (text.find("authentication failed") != std::string_view::npos ||
        text.find("Improperly formatted auth") != std::string_view::npos) {
      out.push_back({irc_action::disconnect{"login refused"}});
      out.push_back({irc_action::fatal{"Twitch refused the login: " + std::string(text) +
                                       "; check TWEETUP_IRC_PASSWORD and irc.nick"}});
      phase_ = phase::stopped;
    }
    return;
  }
  if (command == "ERROR") {
    out.push_back(
        {irc_action::report{"IRC server closing the link: " + std::string(message.param(0))}});
  }
}

void irc_session::handle_cap(actions& out, const irc_message& message, time_point now) {
  const std::string_view sub = message.param(1);
  if (sub == "LS" && !cap_ls_done_) {
    // IRCv3 capability negotiation: "CAP * LS * :..." has more lines to come.
    const bool more = message.params.size() >= 4 && message.param(2) == "*";
    for (const std::string_view cap : words(message.params.back()))
      offered_caps_.emplace_back(cap.substr(0, cap.find('=')));
    if (more) return;
    cap_ls_done_ = true;
    std::string request;
    // multi-prefix: NAMES lists every prefix a member has (~@alice), not the highest alone, so
    // taking away one mode (-q) leaves the others known.
    for (const std::string_view wanted :
         {"message-tags", "server-time", "echo-message", "multi-prefix", "sasl"}) {
      if (!contains(offered_caps_, wanted)) continue;
      if (wanted == "sasl" && config_.sasl_user.empty()) continue;
      if (!request.empty()) request += ' ';
      request += wanted;
    }
    if (request.empty()) return end_cap(out, now);
    send_now(out, "CAP REQ :" + request, now);
    return;
  }
  if (sub == "ACK") {
    bool sasl = false;
    for (const std::string_view cap : words(message.params.back())) {
      if (cap.starts_with('-')) continue;
      enabled_caps_.emplace_back(cap);
      if (cap == "sasl") sasl = true;
    }
    if (config_.twitch || cap_end_sent_) return;
    if (sasl && !config_.sasl_user.empty()) {
      send_now(out, "AUTHENTICATE PLAIN", now);
      return;
    }
    return end_cap(out, now);
  }
  if (sub == "NAK") {
    out.push_back(
        {irc_action::report{"IRC server refused capabilities: " + message.params.back()}});
    return end_cap(out, now);
  }
}

void irc_session::handle_welcome(actions& out, const irc_message& message, time_point now) {
  if (phase_ != phase::registering) return;
  phase_ = phase::registered;
  registered_at_ = now;
  if (!message.param(0).empty()) nick_ = std::string(message.param(0));
  // Most servers end 001 with our full "nick!user@host" (InspIRCd: "... Network
  // tweetbot!tweetbot@127.0.0.1"); it sizes the relayed-line budget (I5) from the start.
  const auto text = words(message.params.empty() ? std::string_view() : message.params.back());
  if (!text.empty()) {
    const std::string_view last = text.back();
    if (is_self(last.substr(0, last.find('!')))) remember_self(last);
  }
  out.push_back({irc_action::report{"registered on IRC as " + nick_}});
  join_channels(out, config_.channels, now);
}

void irc_session::handle_isupport(actions& out, const irc_message& message, time_point now) {
  // MIRC RPL_ISUPPORT: "005 <client> <token>... :are supported by this server".
  for (std::size_t i = 1; i + 1 < message.params.size(); ++i) {
    const std::string_view token = message.params[i];
    const auto eq = token.find('=');
    const std::string_view key = token.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? "" : token.substr(eq + 1);
    if (key == "BOT" && !value.empty() && !bot_mode_sent_) {
      bot_mode_sent_ = true;  // IRCv3 bot-mode (I7)
      send_now(out, "MODE " + nick_ + " +" + std::string(value), now);
    } else if (key == "NICKLEN" && !value.empty()) {
      std::size_t length = 0;
      for (const char c : value) {
        if (c < '0' || c > '9' || length > 10000) {
          length = 0;
          break;
        }
        length = length * 10 + static_cast<std::size_t>(c - '0');
      }
      if (length > 0) nick_max_ = length;
    } else if (key == "CHANTYPES" && !value.empty()) {
      chantypes_ = std::string(value);
    } else if (key == "PREFIX" && value.starts_with('(')) {
      const auto close = value.find(')');
      if (close == std::string_view::npos) continue;
      const std::string_view modes = value.substr(1, close - 1);
      const std::string_view chars = value.substr(close + 1);
      if (modes.size() != chars.size()) continue;
      prefix_modes_ = std::string(modes);
      prefix_chars_ = std::string(chars);
    } else if (key == "CHANMODES") {
      std::vector<std::string> types;
      std::string_view rest = value;
      while (true) {
        const auto comma = rest.find(',');
        types.emplace_back(rest.substr(0, comma));
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
      if (types.size() >= 3) {
        list_modes_ = types[0];
        always_arg_modes_ = types[1];
        set_arg_modes_ = types[2];
      }
    } else if (key == "CASEMAPPING") {
      if (value == "ascii") casemapping_ = casemapping::ascii;
      if (value == "rfc1459") casemapping_ = casemapping::rfc1459;
      if (value == "strict-rfc1459") casemapping_ = casemapping::strict_rfc1459;
    }
  }
}

void irc_session::handle_names(const irc_message& message) {
  // RPL_NAMREPLY "353 <client> <symbol> <channel> :[prefix]<nick>..."; some servers omit the
  // symbol, so the channel is the one before the last parameter.
  if (message.params.size() < 3) return;
  channel_state* state = find_channel(message.params[message.params.size() - 2]);
  if (!state) return;
  for (std::string_view entry : words(message.params.back())) {
    std::string modes;
    while (!entry.empty() && prefix_chars_.find(entry.front()) != std::string::npos) {
      modes += prefix_modes_[prefix_chars_.find(entry.front())];  // multi-prefix gives several
      entry.remove_prefix(1);
    }
    entry = entry.substr(0, entry.find('!'));  // userhost-in-names
    if (!entry.empty()) state->members[fold(entry)].modes = std::move(modes);
  }
}

void irc_session::handle_join_refused(actions& out, const irc_message& message, time_point now) {
  // Full, invite-only, banned or keyed. The lines waiting for the channel would wait for a
  // JOIN that may never come, filling the queue every other reply shares: they are dropped, and
  // so are later ones until we are in. A full or invite-only channel is a passing state, so
  // their receipts may go later (the scheduler tries again); a ban or a key is the operators'
  // decision, so they are refused for good. Either way the JOIN is tried again, ever more
  // rarely: a limit is raised, a ban lifted, and then the bot is back without a reconnect.
  const std::string channel(message.param(1));
  const std::string folded = fold(channel);
  const bool for_good = message.command == "474" || message.command == "475";
  const std::size_t waiting = drop_lines_for(out, channel, for_good);
  unjoinable_[folded] = for_good;
  std::string text =
      "cannot join " + channel + ": " + std::string(message.param(message.params.size() - 1));
  if (waiting > 0) text += "; dropped " + std::to_string(waiting) + " line(s) waiting for it";
  if (configured(channel)) {  // not one we were pulled into (a forward, a SAJOIN) and lost
    const auto delay = join_retry_.try_emplace(folded, config_.rejoin_delay).first;
    plan_rejoin(channel, now + delay->second);
    text += "; trying again in " + std::to_string(delay->second.count() / 1000) + " s";
    delay->second = std::min(delay->second * 2, config_.join_retry_cap);
  } else {
    plan_rejoin(channel, std::nullopt);
  }
  out.push_back({irc_action::report{std::move(text)}});
}

std::size_t irc_session::drop_lines_for(actions& out, std::string_view channel, bool for_good) {
  const std::string folded = fold(channel);
  std::vector<std::uint64_t> receipts;
  const auto dropped = std::erase_if(queue_, [&](const queued_line& line) {
    if (fold(channel_of(line.target)) != folded) return false;
    if (line.receipt != 0) receipts.push_back(line.receipt);
    return true;
  });
  for (const std::uint64_t receipt : receipts)
    drop_message_end(out, receipt, for_good);
  return dropped;
}

void irc_session::drop_message_end(actions& out, std::uint64_t receipt, bool for_good) {
  // Lines of it went out and wait for their answer: the newest one's settles it, as for any
  // message.
  if (!relayed_.contains(receipt)) {
    const auto sent =
        std::find_if(unconfirmed_.rbegin(), unconfirmed_.rend(),
                     [&](const awaiting_echo& line) { return line.message == receipt; });
    if (sent != unconfirmed_.rend()) {
      sent->last = true;
      return;
    }
  }
  settle_message(out, receipt, for_good);
}

void irc_session::settle_message(actions& out, std::uint64_t receipt, bool for_good) {
  if (relayed_.erase(receipt) > 0) {
    out.push_back({irc_action::delivered{receipt}});
  } else {
    out.push_back({irc_action::not_sent{receipt, for_good}});
  }
}

bool irc_session::echoes() const {
  // Twitch acknowledges nothing of the kind (T2): there a line counts once it is written.
  return !config_.twitch && std::find(enabled_caps_.begin(), enabled_caps_.end(), "echo-message") !=
                                enabled_caps_.end();
}

void irc_session::answer_sent(actions& out, std::string_view target,
                              std::optional<std::string_view> echoed, answer how) {
  const std::string channel = fold(channel_of(target));
  const auto to_target = [&](const awaiting_echo& line) {
    return fold(channel_of(line.target)) == channel;
  };
  auto answered = unconfirmed_.end();
  if (echoed) {
    answered = std::find_if(unconfirmed_.begin(), unconfirmed_.end(), [&](const awaiting_echo& l) {
      return to_target(l) && l.text == *echoed;
    });
  }
  // Two lines of the same text to one target cannot be told apart: the older takes the echo,
  // which is right as long as the server answered every line before it in a way counted here.
  // A refusal names no text, and a server may change what it relays (a censored word).
  if (answered == unconfirmed_.end())
    answered = std::find_if(unconfirmed_.begin(), unconfirmed_.end(), to_target);
  if (answered == unconfirmed_.end()) return;  // not an answer to a line we wait on
  settle_unconfirmed(out, static_cast<std::size_t>(answered - unconfirmed_.begin()),
                     "the server answered later ones");
  const awaiting_echo line = std::move(unconfirmed_.front());
  unconfirmed_.pop_front();
  if (how != answer::relayed) {
    out.push_back(
        {irc_action::report{"the server refused a line to " + std::string(target) +
                            (how == answer::refused_for_now ? "; it may go later" : "")}});
  }
  settle_line(out, line, how);
}

void irc_session::settle_unconfirmed(actions& out, std::size_t count, std::string_view why) {
  if (count == 0) return;
  out.push_back(
      {irc_action::report{std::to_string(count) +
                          " line(s) sent without an answer from the server: " + std::string(why)}});
  for (std::size_t i = 0; i < count; ++i) {
    settle_line(out, unconfirmed_.front(), answer::lost);
    unconfirmed_.pop_front();
  }
}

void irc_session::settle_line(actions& out, const awaiting_echo& line, answer how) {
  if (line.message == 0) return;
  if (how == answer::relayed) relayed_.insert(line.message);
  if (line.last) settle_message(out, line.message, how == answer::refused_for_good);
}

void irc_session::handle_invite(actions& out, const irc_message& message, time_point now) {
  // An operator lets us into an invite-only channel: join at once, but only one we were told
  // to serve, so an invitation cannot pull the bot anywhere else.
  if (!is_self(message.param(0))) return;  // invite-notify about someone else
  const std::string channel(message.param(1));
  const std::string by(message.source_nick());
  if (!configured(channel)) {
    out.push_back({irc_action::report{"ignored an invitation to " + channel + " from " + by +
                                      ": not one of our channels"}});
    return;
  }
  if (in_channel(channel)) return;
  // Anyone in a channel without +i may invite: repeated invitations get one JOIN per
  // rejoin_delay, not one each; one that comes sooner moves the JOIN to the end of that wait.
  const auto last = invited_join_at_.find(fold(channel));
  if (last != invited_join_at_.end() && now < last->second + config_.rejoin_delay) {
    const time_point at = last->second + config_.rejoin_delay;
    const auto planned = std::find_if(rejoin_at_.begin(), rejoin_at_.end(), [&](const auto& e) {
      return fold(e.first) == fold(channel);
    });
    if (planned == rejoin_at_.end() || planned->second > at) plan_rejoin(channel, at);
    return;
  }
  invited_join_at_[fold(channel)] = now;
  out.push_back({irc_action::report{"invited to " + channel + " by " + by + "; joining"}});
  plan_rejoin(channel, std::nullopt);
  join_channels(out, {channel}, now);
}

bool irc_session::configured(std::string_view channel) const {
  return std::any_of(config_.channels.begin(), config_.channels.end(),
                     [&](const std::string& c) { return fold(c) == fold(channel); });
}

void irc_session::plan_rejoin(const std::string& channel, std::optional<time_point> at) {
  const std::string folded = fold(channel);
  std::erase_if(rejoin_at_, [&](const auto& entry) { return fold(entry.first) == folded; });
  if (at) rejoin_at_[channel] = *at;
}

void irc_session::handle_mode(const irc_message& message) {
  channel_state* state = find_channel(message.param(0));
  if (!state) return;  // a user mode, or a channel we are not in
  bool adding = true;
  std::size_t arg = 2;
  for (const char mode : message.param(1)) {
    if (mode == '+' || mode == '-') {
      adding = mode == '+';
      continue;
    }
    if (prefix_modes_.find(mode) != std::string::npos) {
      const std::string_view target = message.param(arg++);
      if (target.empty()) continue;
      std::string& held = state->members[fold(target)].modes;
      const auto at = held.find(mode);
      if (adding && at == std::string::npos) held += mode;
      if (!adding && at != std::string::npos) held.erase(at, 1);
    } else if (list_modes_.find(mode) != std::string::npos ||
               always_arg_modes_.find(mode) != std::string::npos ||
               (adding && set_arg_modes_.find(mode) != std::string::npos)) {
      ++arg;  // CHANMODES types A, B, and C when set, take a parameter
    }
  }
}

void irc_session::handle_privmsg(actions& out, const irc_message& message) {
  const std::string_view nick = message.source_nick();
  if (nick.empty() || message.params.size() < 2) return;
  // I7: echo-message sends our own lines back; never answer ourselves. The echo is the
  // server's word that it relayed the line.
  if (is_self(nick)) {
    return answer_sent(out, message.param(0), message.params.back(), answer::relayed);
  }
  std::string_view target = message.param(0);
  std::string_view text = message.params.back();
  if (text.starts_with('\x01')) {
    // CTCP: only ACTION ("/me") is chat; VERSION, PING and the rest are not for the bot.
    if (!text.starts_with("\x01"
                          "ACTION "))
      return;
    text.remove_prefix(8);
    if (text.ends_with('\x01')) text.remove_suffix(1);
  }
  // STATUSMSG ("@#chan"): still that channel, but the replies go to the same part of it.
  const std::string_view sent_to = target;
  target = channel_of(target);

  irc_action::deliver d;
  d.nick = std::string(nick);
  d.user_id = ascii_lower(nick);
  const auto bang = message.source.find('!');
  if (bang != std::string::npos) {
    d.user_host = message.source.substr(bang + 1);
  } else if (const auto at = message.source.find('@'); at != std::string::npos) {
    d.user_host = message.source.substr(at);
  }
  d.text = std::string(text);
  if (const auto msgid = message.tag_value("msgid")) {
    d.msgid = std::string(*msgid);
  } else if (const auto id = message.tag_value("id"); id && config_.twitch) {
    d.msgid = std::string(*id);
  }
  if (is_channel(target)) {
    const channel_state* state = find_channel(target);
    if (!state) return;
    d.channel = state->name;
    if (sent_to.size() > target.size()) {
      d.reply_target = std::string(sent_to.substr(0, sent_to.size() - target.size())) + state->name;
    }
    d.is_moderator = config_.twitch ? has_moderator_badge(message) : is_moderator(target, nick);
  } else if (is_self(target)) {
    d.channel = d.nick;
  } else {
    return;
  }
  out.push_back({std::move(d)});
}

}  // namespace tweetup::irc
