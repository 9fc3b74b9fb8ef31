// Scenario tests of the IRC session state machine, fed the exact lines InspIRCd, Ergo and Twitch
// send. Time is a plain steady_clock time_point moved by hand; nothing reads a clock or sleeps.
#include "adapters/irc/irc_session.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "adapters/irc/irc_message.hpp"
#include "adapters/irc/irc_text.hpp"

namespace tweetup::irc {
namespace {

using namespace std::chrono_literals;
using time_point = irc_session::time_point;
using actions = irc_session::actions;
using phase = irc_session::phase;

const time_point t0 = time_point{} + 1000h;  // any instant; steady_clock has no calendar
const std::string self_prefix = "tweetbot!tweetup@127.0.0.1";

template <class T>
std::vector<T> all(const actions& batch) {
  std::vector<T> out;
  for (const irc_action& a : batch)
    if (const T* p = std::get_if<T>(&a.what)) out.push_back(*p);
  return out;
}

std::vector<std::string> lines(const actions& batch) {
  std::vector<std::string> out;
  for (const auto& line : all<irc_action::send_line>(batch))
    out.push_back(line.text);
  return out;
}

std::optional<time_point> wake(const actions& batch) {
  const auto wakes = all<irc_action::wake_at>(batch);
  if (wakes.empty()) return std::nullopt;
  return wakes.back().at;
}

bool has_connect(const actions& batch) {
  return !all<irc_action::connect>(batch).empty();
}
bool has_disconnect(const actions& batch) {
  return !all<irc_action::disconnect>(batch).empty();
}

irc_session::settings irc_settings() {
  irc_session::settings s;
  s.nick = "tweetbot";
  s.alt_nicks = {"tweetbot2"};
  s.user = "tweetup";
  s.realname = "Tweetup bot";
  s.channels = {"#tweetup", "#meetups"};
  return s;
}

// Connects and registers as InspIRCd 3 answers (no SASL offered), joined to both channels.
void register_plain(irc_session& session, time_point now) {
  session.start(now);
  session.on_connected(now);
  session.on_line(":irc.test.local CAP * LS :cap-notify echo-message message-tags server-time",
                  now);
  session.on_line(":irc.test.local CAP * ACK :echo-message message-tags server-time", now);
  session.on_line(":irc.test.local 001 tweetbot :Welcome to the Test IRC Network " + self_prefix,
                  now);
  session.on_line(":" + self_prefix + " JOIN :#tweetup", now);
  session.on_line(":" + self_prefix + " JOIN :#meetups", now);
}

}  // namespace

TEST_CASE("registration: CAP LS 302, NICK, USER, multi-line LS, REQ, ACK, CAP END, JOIN (I1)") {
  irc_session session(irc_settings());
  const actions started = session.start(t0);
  CHECK(has_connect(started));
  CHECK(session.current_phase() == phase::connecting);

  const actions opened = session.on_connected(t0);
  CHECK(lines(opened) ==
        std::vector<std::string>{"CAP LS 302", "NICK tweetbot", "USER tweetup 0 * :Tweetup bot"});
  CHECK(wake(opened) == t0 + 90s);  // the idle PING deadline

  // Ergo spreads a long list over several lines; "*" before the list means more is coming.
  CHECK(lines(session.on_line(
                  ":ergo.test CAP * LS * :account-notify away-notify batch echo-message", t0))
            .empty());
  const actions ls = session.on_line(
      ":ergo.test CAP * LS :message-tags sasl=PLAIN,EXTERNAL server-time draft/chathistory", t0);
  // No sasl_user, so no sasl; the order is ours, not the server's.
  CHECK(lines(ls) == std::vector<std::string>{"CAP REQ :message-tags server-time echo-message"});

  const actions ack =
      session.on_line(":ergo.test CAP * ACK :message-tags server-time echo-message", t0);
  CHECK(lines(ack) == std::vector<std::string>{"CAP END"});
  CHECK(session.current_phase() == phase::registering);

  const actions welcome =
      session.on_line(":ergo.test 001 tweetbot :Welcome to the ErgoTest IRC Network tweetbot", t0);
  CHECK(session.current_phase() == phase::registered);
  CHECK(lines(welcome) == std::vector<std::string>{"JOIN #tweetup,#meetups"});

  const actions isupport = session.on_line(
      ":ergo.test 005 tweetbot AWAYLEN=390 BOT=B CASEMAPPING=ascii CHANLIMIT=#:100 "
      "CHANMODES=Ibe,k,fl,CEMRUimnstu CHANNELLEN=64 CHANTYPES=# :are supported by this server",
      t0);
  CHECK(lines(isupport) == std::vector<std::string>{"MODE tweetbot +B"});
  // A second 005 line with BOT again does not repeat the MODE.
  CHECK(lines(session.on_line(":ergo.test 005 tweetbot BOT=B :are supported by this server", t0))
            .empty());

  // Ergo's JOIN echo tells us our host, and with it the relayed-line budget (I5).
  CHECK(session.prefix_budget() == default_prefix_budget);
  session.on_line(":tweetbot!~u@kb4pbuvtrm9xq.irc JOIN #tweetup", t0);
  CHECK(session.in_channel("#tweetup"));
  CHECK(session.prefix_budget() == std::string_view("tweetbot!~u@kb4pbuvtrm9xq.irc").size());
  session.on_line(":ergo.test 396 tweetbot cloaked.example :is now your displayed host", t0);
  CHECK(session.prefix_budget() == std::string_view("tweetbot!~u@cloaked.example").size());
}

TEST_CASE("CAP END is always sent: nothing wanted offered, and NAK (I1)") {
  SUBCASE("nothing we want is offered") {
    irc_session session(irc_settings());
    session.start(t0);
    session.on_connected(t0);
    CHECK(lines(session.on_line(":irc.test.local CAP * LS :cap-notify away-notify", t0)) ==
          std::vector<std::string>{"CAP END"});
  }
  SUBCASE("the request is refused") {
    irc_session session(irc_settings());
    session.start(t0);
    session.on_connected(t0);
    session.on_line(":irc.test.local CAP * LS :message-tags", t0);
    const actions nak = session.on_line(":irc.test.local CAP * NAK :message-tags", t0);
    CHECK(lines(nak) == std::vector<std::string>{"CAP END"});
    CHECK(all<irc_action::report>(nak).size() == 1);
  }
}

TEST_CASE("PING gets PONG with the exact token, before registration too (I3, T4)") {
  irc_session session(irc_settings());
  session.start(t0);
  session.on_connected(t0);
  CHECK(lines(session.on_line("PING :3A1F0C2B", t0)) == std::vector<std::string>{"PONG :3A1F0C2B"});
  CHECK(lines(session.on_line("PING :tmi.twitch.tv", t0)) ==
        std::vector<std::string>{"PONG :tmi.twitch.tv"});
  CHECK(lines(session.on_line(":irc.test.local PING :with:colon and space", t0)) ==
        std::vector<std::string>{"PONG :with:colon and space"});
}

TEST_CASE("SASL PLAIN success: REQ sasl, AUTHENTICATE PLAIN, base64 credentials, 903, CAP END") {
  auto s = irc_settings();
  s.sasl_user = "tweetbot";
  s.sasl_password = "hunter2";
  irc_session session(s);
  session.start(t0);
  session.on_connected(t0);
  CHECK(lines(session.on_line(":ergo.test CAP * LS :message-tags sasl=PLAIN,EXTERNAL", t0)) ==
        std::vector<std::string>{"CAP REQ :message-tags sasl"});
  CHECK(lines(session.on_line(":ergo.test CAP * ACK :message-tags sasl", t0)) ==
        std::vector<std::string>{"AUTHENTICATE PLAIN"});

  const actions challenge = session.on_line("AUTHENTICATE +", t0);
  const auto sent = all<irc_action::send_line>(challenge);
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].text == "AUTHENTICATE dHdlZXRib3QAdHdlZXRib3QAaHVudGVyMg==");
  CHECK(sent[0].sensitive);

  session.on_line(
      ":ergo.test 900 tweetbot tweetbot!tweetup@127.0.0.1 tweetbot :You are now logged in as "
      "tweetbot",
      t0);
  const actions done = session.on_line(":ergo.test 903 tweetbot :Authentication successful", t0);
  CHECK(lines(done) == std::vector<std::string>{"CAP END"});
  CHECK(all<irc_action::report>(done).size() == 1);
}

TEST_CASE("SASL failure: 904 is reported, CAP END, registration goes on, no password logged") {
  auto s = irc_settings();
  s.sasl_user = "tweetbot";
  s.sasl_password = "hunter2";
  irc_session session(s);
  std::vector<irc_action> everything;
  const auto keep = [&everything](const actions& batch) {
    everything.insert(everything.end(), batch.begin(), batch.end());
    return batch;
  };
  keep(session.start(t0));
  keep(session.on_connected(t0));
  keep(session.on_line(":ergo.test CAP * LS :sasl", t0));
  keep(session.on_line(":ergo.test CAP * ACK :sasl", t0));
  keep(session.on_line("AUTHENTICATE +", t0));
  const actions failed =
      keep(session.on_line(":ergo.test 904 tweetbot :SASL authentication failed", t0));
  CHECK(lines(failed) == std::vector<std::string>{"CAP END"});
  REQUIRE(all<irc_action::report>(failed).size() == 1);
  keep(session.on_line(":ergo.test 001 tweetbot :Welcome", t0));
  CHECK(session.current_phase() == phase::registered);
  for (const auto& r : all<irc_action::report>(everything))
    CHECK(r.text.find("hunter2") == std::string::npos);
  for (const auto& line : all<irc_action::send_line>(everything))
    if (line.text.starts_with("AUTHENTICATE ") && line.text != "AUTHENTICATE PLAIN")
      CHECK(line.sensitive);
}

TEST_CASE("SASL payload of exactly 400 bytes is followed by AUTHENTICATE + (I2)") {
  auto s = irc_settings();
  s.sasl_user = "u";
  s.sasl_password = std::string(296, 'p');  // 300 raw bytes -> 400 base64 bytes
  irc_session session(s);
  session.start(t0);
  session.on_connected(t0);
  session.on_line(":ergo.test CAP * LS :sasl", t0);
  session.on_line(":ergo.test CAP * ACK :sasl", t0);
  const auto sent = lines(session.on_line("AUTHENTICATE +", t0));
  REQUIRE(sent.size() == 2);
  CHECK(sent[0].size() == std::string_view("AUTHENTICATE ").size() + 400);
  CHECK(sent[1] == "AUTHENTICATE +");

  SUBCASE("a longer payload goes in 400-byte chunks") {
    auto longer = s;
    longer.sasl_password = std::string(500, 'p');
    irc_session other(longer);
    other.start(t0);
    other.on_connected(t0);
    other.on_line(":ergo.test CAP * LS :sasl", t0);
    other.on_line(":ergo.test CAP * ACK :sasl", t0);
    const auto chunks = lines(other.on_line("AUTHENTICATE +", t0));
    REQUIRE(chunks.size() == 2);  // 504 raw -> 672 base64 = 400 + 272
    CHECK(chunks[0].size() == 13 + 400);
    CHECK(chunks[1].size() == 13 + 272);
  }
}

TEST_CASE("433 and 432 during registration move through alt nicks, then the _ rule (I4)") {
  irc_session session(irc_settings());
  session.start(t0);
  session.on_connected(t0);
  CHECK(lines(session.on_line(":irc.test.local 433 * tweetbot :Nickname is already in use.", t0)) ==
        std::vector<std::string>{"NICK tweetbot2"});
  CHECK(lines(session.on_line(":irc.test.local 433 * tweetbot2 :Nickname is already in use.",
                              t0)) == std::vector<std::string>{"NICK tweetbot_"});
  CHECK(lines(session.on_line(":irc.test.local 433 * tweetbot_ :Nickname is already in use.",
                              t0)) == std::vector<std::string>{"NICK tweetbot_2"});
  CHECK(lines(session.on_line(":irc.test.local 436 * tweetbot_2 :Nickname collision KILL", t0)) ==
        std::vector<std::string>{"NICK tweetbot_3"});
  session.on_line(":irc.test.local CAP * LS :", t0);
  session.on_line(
      ":irc.test.local 001 tweetbot_3 :Welcome to the Test IRC Network "
      "tweetbot_3!tweetup@127.0.0.1",
      t0);
  CHECK(session.nick() == "tweetbot_3");
  CHECK(session.prefix_budget() == std::string_view("tweetbot_3!tweetup@127.0.0.1").size());
  // After registration a 433 (from some NICK of ours we never sent) changes nothing.
  CHECK(lines(session.on_line(":irc.test.local 433 tweetbot_3 x :Nickname is already in use.", t0))
            .empty());
  // A new connection starts from the configured nick again.
  session.on_disconnected(t0 + 1s, 0.5);
  session.on_timer(t0 + 10s, 0.5);
  CHECK(lines(session.on_connected(t0 + 10s)) ==
        std::vector<std::string>{"CAP LS 302", "NICK tweetbot", "USER tweetup 0 * :Tweetup bot"});
}

TEST_CASE("a generated nick stays within the server's nick length (I4)") {
  auto settings = irc_settings();
  settings.alt_nicks.clear();

  SUBCASE("learned from 432 during the first registration") {
    // RFC 1459's nine characters: "tweetbot_" fits, "tweetbot_2" does not.
    settings.nick = "tweetbots";
    irc_session session(settings);
    session.start(t0);
    session.on_connected(t0);
    CHECK(lines(session.on_line(":irc.test.local 433 * tweetbots :Nickname is already in use.",
                                t0)) == std::vector<std::string>{"NICK tweetbots_"});
    // Ten characters refused: one shorter from now on, the suffix kept whole.
    CHECK(lines(session.on_line(":irc.test.local 432 * tweetbots_ :Erroneous Nickname", t0)) ==
          std::vector<std::string>{"NICK tweetbo_2"});
    CHECK(lines(session.on_line(":irc.test.local 433 * tweetbo_2 :Nickname is already in use.",
                                t0)) == std::vector<std::string>{"NICK tweetbo_3"});
  }
  SUBCASE("a configured nick that is itself too long") {
    settings.nick = "tweetbot";
    irc_session session(settings);
    session.start(t0);
    session.on_connected(t0);
    // Refused as erroneous, but it is not ours to shorten: the _ rule comes next...
    CHECK(lines(session.on_line(":irc.test.local 432 * tweetbot :Erroneous Nickname", t0)) ==
          std::vector<std::string>{"NICK tweetbot_"});
    // ...and once that is refused too, its length is known.
    CHECK(lines(session.on_line(":irc.test.local 432 * tweetbot_ :Erroneous Nickname", t0)) ==
          std::vector<std::string>{"NICK tweetb_2"});
  }
  SUBCASE("NICKLEN from 005 on an earlier connection") {
    settings.nick = "abcdefghijklmnopqrstuvwxyz0123";
    REQUIRE(settings.nick.size() == 30);
    irc_session session(settings);
    session.start(t0);
    session.on_connected(t0);
    session.on_line(":irc.test.local CAP * LS :", t0);
    session.on_line(":irc.test.local 001 " + settings.nick + " :Welcome", t0);
    session.on_line(":irc.test.local 005 " + settings.nick +
                        " CHANTYPES=# NICKLEN=30 PREFIX=(qaohv)~&@%+ :are supported by this server",
                    t0);
    session.on_disconnected(t0 + 1s, 0.5);
    session.on_timer(t0 + 10s, 0.5);
    session.on_connected(t0 + 10s);
    CHECK(lines(session.on_line(
              ":irc.test.local 433 * abcdefghijklmnopqrstuvwxyz0123 :Nickname is already in use.",
              t0 + 10s)) == std::vector<std::string>{"NICK abcdefghijklmnopqrstuvwxyz012_"});
    CHECK(lines(session.on_line(
              ":irc.test.local 433 * abcdefghijklmnopqrstuvwxyz012_ :Nickname is already in use.",
              t0 + 10s)) == std::vector<std::string>{"NICK abcdefghijklmnopqrstuvwxyz01_2"});
  }
  SUBCASE("a malformed NICKLEN is ignored") {
    settings.nick = "tweetbot";
    irc_session session(settings);
    session.start(t0);
    session.on_connected(t0);
    session.on_line(":irc.test.local CAP * LS :", t0);
    session.on_line(":irc.test.local 001 tweetbot :Welcome", t0);
    session.on_line(":irc.test.local 005 tweetbot NICKLEN=x9 :are supported by this server", t0);
    session.on_disconnected(t0 + 1s, 0.5);
    session.on_timer(t0 + 10s, 0.5);
    session.on_connected(t0 + 10s);
    CHECK(lines(session.on_line(":irc.test.local 433 * tweetbot :Nickname is already in use.",
                                t0 + 10s)) == std::vector<std::string>{"NICK tweetbot_"});
  }
}

TEST_CASE("a 1,500-byte reply is split so every relayed line fits 512 bytes, UTF-8 intact (I5)") {
  irc_session session(irc_settings());
  register_plain(session, t0);
  std::string text;
  while (text.size() < 1500)
    text += "caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80 tweetup ";
  text.resize(1500);
  while (text.back() == ' ' || (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80 ||
         static_cast<unsigned char>(text.back()) >= 0xC0)
    text.pop_back();  // whole characters only, no trailing space

  const actions batch = session.say("#tweetup", text, t0 + 60s);
  const auto sent = lines(batch);
  REQUIRE(sent.size() == 4);
  std::string joined;
  for (const std::string& line : sent) {
    const std::string relayed = ":" + self_prefix + " " + line;
    CHECK(relayed.size() <= 510);
    const auto parsed = parse_irc_line(line);
    REQUIRE(parsed);
    CHECK(parsed->command == "PRIVMSG");
    CHECK(parsed->param(0) == "#tweetup");
    if (!joined.empty()) joined += ' ';
    joined += parsed->param(1);
  }
  CHECK(joined == text);  // split only at spaces here, each consumed once
  // The first line is full: the next word would not have fitted.
  CHECK((":" + self_prefix + " " + sent[0]).size() > 490);
}

TEST_CASE("lines queued before our prefix grew are split again to fit 512 bytes (I5)") {
  irc_session session(irc_settings());
  register_plain(session, t0);
  std::string text;
  for (int i = 0; i < 2000; ++i)
    text += "\xC3\xA9";  // 4,000 bytes with no space: cut anywhere between characters
  std::vector<std::string> sent = lines(session.say("#tweetup", text, t0 + 60s));
  REQUIRE(session.queued() > 0);
  // Services rename us while the rest waits: the prefix grows by 7 bytes.
  session.on_line(":tweetbot!tweetup@127.0.0.1 NICK :Guest4821312", t0 + 60s);
  const std::string grown = "Guest4821312!tweetup@127.0.0.1";
  std::vector<std::string> later;
  for (int s = 1; s <= 20; ++s) {
    for (auto& line : lines(session.on_timer(t0 + 60s + std::chrono::seconds(s), 0.5)))
      later.push_back(std::move(line));
  }
  REQUIRE_FALSE(later.empty());
  std::string joined;
  for (const std::string& line : sent)
    joined += parse_irc_line(line)->param(1);
  for (const std::string& line : later) {
    CHECK((":" + grown + " " + line).size() <= 510);
    joined += parse_irc_line(line)->param(1);
  }
  CHECK(joined == text);  // every character once, none cut
}

TEST_CASE("a 30-message burst goes out 4 at once, then 1 per second (I6)") {
  irc_session session(irc_settings());
  register_plain(session, t0);
  const time_point t1 = t0 + 60s;  // the bucket has long refilled after registration
  std::vector<time_point> sent_at;
  actions first;
  for (int i = 0; i < 30; ++i) {
    const actions batch = session.say("#tweetup", "reply " + std::to_string(i), t1);
    for (std::size_t k = 0; k < lines(batch).size(); ++k)
      sent_at.push_back(t1);
    if (i == 29) first = batch;
  }
  CHECK(sent_at.size() == 4);
  CHECK(session.queued() == 26);
  std::optional<time_point> next = wake(first);
  int guard = 0;
  while (session.queued() > 0 && next && guard++ < 100) {
    const time_point now = *next;
    const actions batch = session.on_timer(now, 0.5);
    for (const std::string& line : lines(batch)) {
      CHECK(line.starts_with("PRIVMSG #tweetup :reply "));
      sent_at.push_back(now);
    }
    next = wake(batch);
  }
  REQUIRE(sent_at.size() == 30);
  for (std::size_t i = 4; i < 30; ++i)
    CHECK(sent_at[i] == t1 + std::chrono::seconds(i - 3));
}

TEST_CASE("send_rate sets the pace after the burst, 0 turns the throttle off (I6)") {
  SUBCASE("10 lines per second") {
    auto settings = irc_settings();
    settings.send_rate = 10.0;
    irc_session session(settings);
    register_plain(session, t0);
    const time_point t1 = t0 + 60s;
    actions last;
    for (int i = 0; i < 10; ++i)
      last = session.say("#tweetup", "reply " + std::to_string(i), t1);
    CHECK(session.queued() == 6);
    CHECK(wake(last) == t1 + 100ms);
    CHECK(lines(session.on_timer(t1 + 100ms, 0.5)).size() == 1);
    // Half a second refills five tokens, but the bucket holds four.
    CHECK(lines(session.on_timer(t1 + 600ms, 0.5)).size() == 4);
    const actions rest = session.on_timer(t1 + 650ms, 0.5);
    CHECK(lines(rest).empty());
    CHECK(wake(rest) == t1 + 700ms);
    CHECK(lines(session.on_timer(t1 + 700ms, 0.5)).size() == 1);
    CHECK(session.queued() == 0);
  }
  SUBCASE("0: every line at once, however many") {
    auto settings = irc_settings();
    settings.send_rate = 0.0;
    irc_session session(settings);
    register_plain(session, t0);
    std::size_t sent = 0;
    for (int i = 0; i < 500; ++i)
      sent += lines(session.say("#tweetup", "reply " + std::to_string(i), t0)).size();
    CHECK(sent == 500);
    CHECK(session.queued() == 0);
  }
}

TEST_CASE("PONG jumps the send queue and is never throttled (I6)") {
  irc_session session(irc_settings());
  register_plain(session, t0);
  const time_point t1 = t0 + 60s;
  for (int i = 0; i < 10; ++i)
    session.say("#tweetup", "line " + std::to_string(i), t1);
  CHECK(session.queued() == 6);
  const actions batch = session.on_line(":irc.test.local PING :irc.test.local", t1 + 100ms);
  CHECK(lines(batch) == std::vector<std::string>{"PONG :irc.test.local"});
  CHECK(session.queued() == 6);
  // The queue carries on at its own pace: the PONG counts against the server's flood counter,
  // so the next line is due 1 s after the burst plus the 100 ms the PONG took.
  CHECK(wake(batch) == t1 + 1100ms);
  CHECK(lines(session.on_timer(t1 + 1100ms, 0.5)) ==
        std::vector<std::string>{"PRIVMSG #tweetup :line 4"});
}

TEST_CASE("KICK of us rejoins after rejoin_delay, join errors are reported") {
  irc_session session(irc_settings());
  register_plain(session, t0);
  const time_point t1 = t0 + 60s;
  const actions kicked =
      session.on_line(":alice!alice@127.0.0.1 KICK #tweetup tweetbot :behave", t1);
  CHECK_FALSE(session.in_channel("#tweetup"));
  CHECK(all<irc_action::report>(kicked).size() == 1);
  CHECK(wake(kicked) == t1 + 10s);
  CHECK(lines(session.on_timer(t1 + 9s, 0.5)).empty());
  CHECK(lines(session.on_timer(t1 + 10s, 0.5)) == std::vector<std::string>{"JOIN #tweetup"});

  const actions banned = session.on_line(
      ":irc.test.local 474 tweetbot #tweetup :Cannot join channel (you're banned)", t1 + 10s);
  REQUIRE(all<irc_action::report>(banned).size() == 1);
  CHECK(all<irc_action::report>(banned)[0].text.find("#tweetup") != std::string::npos);
  CHECK(lines(banned).empty());

  // A KICK of someone else is only bookkeeping.
  session.on_line(":" + self_prefix + " JOIN :#tweetup", t1 + 11s);
  session.on_line(":irc.test.local 353 tweetbot = #tweetup :@alice bob tweetbot", t1 + 11s);
  const actions other = session.on_line(":alice!a@h KICK #tweetup bob :spam", t1 + 12s);
  CHECK(all<irc_action::report>(other).empty());
  CHECK(session.in_channel("#tweetup"));
}

TEST_CASE("lines for a channel that refuses our JOIN are dropped, not left to fill the queue") {
  irc_session session(irc_settings());
  register_plain(session, t0);
  const time_point t1 = t0 + 60s;
  session.on_line(":alice!alice@127.0.0.1 KICK #tweetup tweetbot :behave", t1);
  session.say("#tweetup", "waits for the rejoin", t1);
  CHECK(session.queued() == 1);
  session.on_timer(t1 + 10s, 0.5);  // JOIN #tweetup
  const actions banned = session.on_line(
      ":irc.test.local 474 tweetbot #tweetup :Cannot join channel (you're banned)", t1 + 10s);
  REQUIRE(all<irc_action::report>(banned).size() == 1);
  CHECK(all<irc_action::report>(banned)[0].text.find("dropped 1 line") != std::string::npos);
  CHECK(session.queued() == 0);
  // Later replies there are dropped at once; other channels are not held up.
  CHECK(all<irc_action::report>(session.say("#tweetup", "reminder", t1 + 20s)).size() == 1);
  CHECK(session.queued() == 0);
  CHECK(lines(session.say("#meetups", "hello", t1 + 20s)) ==
        std::vector<std::string>{"PRIVMSG #meetups :hello"});
  // Once we are in the channel again (our JOIN went through), replies go out again.
  session.on_line(":" + self_prefix + " JOIN :#tweetup", t1 + 30s);
  CHECK(lines(session.say("#tweetup", "back", t1 + 31s)) ==
        std::vector<std::string>{"PRIVMSG #tweetup :back"});
}

TEST_CASE("a full or invite-only channel is tried again, and its notices may go later") {
  irc_session session(irc_settings());
  register_plain(session, t0);
  const time_point t1 = t0 + 60s;
  session.on_line(":alice!alice@127.0.0.1 KICK #tweetup tweetbot :behave", t1);
  CHECK(all<irc_action::not_sent>(session.say("#tweetup", "reminder", t1, 7)).empty());
  CHECK(lines(session.on_timer(t1 + 10s, 0.5)) == std::vector<std::string>{"JOIN #tweetup"});

  // 471: full. The waiting notice is not sent, but only for now; the JOIN comes again.
  const actions full = session.on_line(
      ":irc.test.local 471 tweetbot #tweetup :Cannot join channel (channel is full)", t1 + 10s);
  auto dropped = all<irc_action::not_sent>(full);
  REQUIRE(dropped.size() == 1);
  CHECK(dropped[0].receipt == 7);
  CHECK_FALSE(dropped[0].for_good);
  REQUIRE(all<irc_action::report>(full).size() == 1);
  CHECK(all<irc_action::report>(full)[0].text.find("trying again in 10 s") != std::string::npos);
  CHECK(wake(full) == t1 + 20s);
  // A notice meanwhile: not now either.
  auto meanwhile = all<irc_action::not_sent>(session.say("#tweetup", "later", t1 + 11s, 8));
  REQUIRE(meanwhile.size() == 1);
  CHECK_FALSE(meanwhile[0].for_good);
  CHECK(session.queued() == 0);

  // Refused again (473, invite-only): the wait doubles.
  CHECK(lines(session.on_timer(t1 + 19s, 0.5)).empty());
  CHECK(lines(session.on_timer(t1 + 20s, 0.5)) == std::vector<std::string>{"JOIN #tweetup"});
  const actions closed = session.on_line(
      ":irc.test.local 473 tweetbot #tweetup :Cannot join channel (invite only)", t1 + 20s);
  CHECK(wake(closed) == t1 + 40s);

  // An invitation to a channel we serve: JOIN at once, in place of the retry planned. This one
  // is refused too: the next retry comes after the doubled wait, not at the old plan's t1 + 40s.
  const actions invited =
      session.on_line(":alice!alice@127.0.0.1 INVITE tweetbot :#tweetup", t1 + 25s);
  CHECK(lines(invited) == std::vector<std::string>{"JOIN #tweetup"});
  CHECK(wake(session.on_line(
            ":irc.test.local 473 tweetbot #tweetup :Cannot join channel (invite only)",
            t1 + 25s)) == t1 + 65s);
  CHECK(lines(session.on_timer(t1 + 40s, 0.5)).empty());
  // Invitations again and again get one JOIN per rejoin_delay: one that comes sooner moves the
  // JOIN to the end of that wait.
  const actions soon =
      session.on_line(":alice!alice@127.0.0.1 INVITE tweetbot :#tweetup", t1 + 30s);
  CHECK(lines(soon).empty());
  CHECK(wake(soon) == t1 + 35s);
  CHECK(
      lines(session.on_line(":alice!alice@127.0.0.1 INVITE tweetbot :#tweetup", t1 + 31s)).empty());
  CHECK(lines(session.on_timer(t1 + 35s, 0.5)) == std::vector<std::string>{"JOIN #tweetup"});
  session.on_line(":" + self_prefix + " JOIN :#tweetup", t1 + 41s);
  CHECK(lines(session.on_timer(t1 + 65s, 0.5)).empty());
  CHECK(lines(session.say("#tweetup", "back", t1 + 66s, 9)) ==
        std::vector<std::string>{"PRIVMSG #tweetup :back"});

  // An invitation anywhere else is not followed, nor one for a channel we are in.
  const actions elsewhere =
      session.on_line(":mallory!m@127.0.0.1 INVITE tweetbot :#warez", t1 + 67s);
  CHECK(lines(elsewhere).empty());
  REQUIRE(all<irc_action::report>(elsewhere).size() == 1);
  CHECK(all<irc_action::report>(elsewhere)[0].text.find("ignored") != std::string::npos);
  CHECK(
      lines(session.on_line(":alice!alice@127.0.0.1 INVITE tweetbot :#TWEETUP", t1 + 43s)).empty());
}

TEST_CASE("477 answers a JOIN (a channel for registered nicks) or a line, and is told apart") {
  irc_session session(irc_settings());
  register_plain(session, t0);
  const time_point t1 = t0 + 60s;
  // To a JOIN, while we are not in the channel: a refused JOIN, tried again; notices wait.
  session.on_line(":alice!alice@127.0.0.1 KICK #tweetup tweetbot :behave", t1);
  session.on_timer(t1 + 10s, 0.5);  // JOIN #tweetup
  const actions join = session.on_line(
      ":irc.test.local 477 tweetbot #tweetup :You need to be identified to join", t1 + 10s);
  CHECK(wake(join) == t1 + 20s);
  auto later = all<irc_action::not_sent>(session.say("#tweetup", "reminder", t1 + 11s, 3));
  REQUIRE(later.size() == 1);
  CHECK_FALSE(later[0].for_good);
  // To a line, in a channel we are in: that line is refused for now.
  session.say("#meetups", "hello", t1 + 12s, 4);
  auto line = all<irc_action::not_sent>(session.on_line(
      ":irc.test.local 477 tweetbot #meetups :You need to be identified to speak", t1 + 12s));
  REQUIRE(line.size() == 1);
  CHECK(line[0].receipt == 4);
  CHECK_FALSE(line[0].for_good);
}

TEST_CASE("a refused JOIN is tried ever more rarely, up to join_retry_cap, until it works") {
  irc_session::settings settings = irc_settings();
  settings.join_retry_cap = 40s;
  irc_session session(settings);
  register_plain(session, t0);
  time_point now = t0 + 60s;
  session.on_line(":alice!alice@127.0.0.1 KICK #tweetup tweetbot :behave", now);
  now += 10s;
  std::vector<std::chrono::seconds> waits;
  for (int i = 0; i < 5; ++i) {
    REQUIRE(lines(session.on_timer(now, 0.5)) == std::vector<std::string>{"JOIN #tweetup"});
    const auto at = wake(session.on_line(
        ":irc.test.local 474 tweetbot #tweetup :Cannot join channel (you're banned)", now));
    REQUIRE(at);
    waits.push_back(std::chrono::duration_cast<std::chrono::seconds>(*at - now));
    now = *at;
  }
  CHECK(waits == std::vector<std::chrono::seconds>{10s, 20s, 40s, 40s, 40s});
  // The ban is lifted: the next JOIN works, and a later refusal starts from the first wait.
  REQUIRE(lines(session.on_timer(now, 0.5)) == std::vector<std::string>{"JOIN #tweetup"});
  session.on_line(":" + self_prefix + " JOIN :#tweetup", now);
  CHECK(lines(session.say("#tweetup", "back", now)) ==
        std::vector<std::string>{"PRIVMSG #tweetup :back"});
  session.on_line(":alice!alice@127.0.0.1 KICK #tweetup tweetbot :again", now + 1s);
  session.on_timer(now + 11s, 0.5);
  CHECK(wake(session.on_line(
            ":irc.test.local 474 tweetbot #tweetup :Cannot join channel (you're banned)",
            now + 11s)) == now + 21s);

  // A channel we were put in (a forward, an oper's SAJOIN) and thrown out of is not ours to
  // come back to.
  session.on_line(":" + self_prefix + " JOIN :#elsewhere", now + 30s);
  const actions out = session.on_line(":op!op@127.0.0.1 KICK #elsewhere tweetbot :out", now + 31s);
  REQUIRE(all<irc_action::report>(out).size() == 1);
  CHECK(all<irc_action::report>(out)[0].text.find("rejoining") == std::string::npos);
  for (int minutes = 1; minutes <= 30; ++minutes) {
    for (const auto& line : lines(session.on_timer(now + 31s + std::chrono::minutes(minutes), 0.5)))
      CHECK(line.find("#elsewhere") == std::string::npos);
  }
}

TEST_CASE("idle line: our PING after ping_idle, reconnect when nothing comes back (I3)") {
  irc_session session(irc_settings());
  register_plain(session, t0);  // the last line arrived at t0

  SUBCASE("silence -> PING -> silence -> disconnect, backoff, connect") {
    const actions quiet = session.on_timer(t0 + 90s, 0.5);
    CHECK(lines(quiet) == std::vector<std::string>{"PING :tweetup-1"});
    CHECK(wake(quiet) == t0 + 150s);
    const actions dead = session.on_timer(t0 + 150s, 0.5);
    CHECK(has_disconnect(dead));
    CHECK_FALSE(has_connect(dead));
    CHECK(session.current_phase() == phase::waiting_to_connect);
    CHECK(wake(dead) == t0 + 151s);  // 1 s x (0.5 + 0.5)
    // A late report from the shell about the closed socket changes nothing.
    CHECK(session.on_disconnected(t0 + 150s, 0.5).size() == 1);  // just the wake_at
    const actions again = session.on_timer(t0 + 151s, 0.5);
    CHECK(has_connect(again));
    CHECK(lines(session.on_connected(t0 + 152s)).front() == "CAP LS 302");
  }
  SUBCASE("any line after our PING keeps the connection") {
    session.on_timer(t0 + 90s, 0.5);
    const actions pong =
        session.on_line(":irc.test.local PONG irc.test.local :tweetup-1", t0 + 91s);
    CHECK(wake(pong) == t0 + 181s);
    CHECK(lines(session.on_timer(t0 + 181s, 0.5)) == std::vector<std::string>{"PING :tweetup-2"});
  }
}

TEST_CASE("reconnect backoff doubles from 1 s to 60 s times (0.5 + jitter), reset by a minute up") {
  irc_session session(irc_settings());
  session.start(t0);
  time_point now = t0;
  const std::vector<std::chrono::milliseconds> expected = {1000ms,  2000ms,  4000ms,  8000ms,
                                                           16000ms, 32000ms, 60000ms, 60000ms};
  for (const auto delay : expected) {
    const actions lost = session.on_disconnected(now, 0.5);
    REQUIRE(wake(lost));
    CHECK(*wake(lost) - now == delay);
    now = *wake(lost);
    CHECK(has_connect(session.on_timer(now, 0.5)));
  }
  // Jitter 0 halves the delay; 0.999 nearly adds half.
  const actions low = session.on_disconnected(now, 0.0);
  CHECK(*wake(low) - now == 30000ms);
  now = *wake(low);
  session.on_timer(now, 0.0);
  session.on_connected(now);
  session.on_line(":irc.test.local 001 tweetbot :Welcome", now);
  // Dropped right after 001 (a ban, an excess flood): still backing off.
  const actions dropped = session.on_disconnected(now + 1s, 0.5);
  CHECK(*wake(dropped) - (now + 1s) == 60000ms);
  now = *wake(dropped);
  session.on_timer(now, 0.5);
  session.on_connected(now);
  session.on_line(":irc.test.local 001 tweetbot :Welcome", now);
  // A connection that stayed up a minute after 001 starts the backoff again from 1 s.
  now += 60s;
  const actions after = session.on_disconnected(now, 0.5);
  CHECK(*wake(after) - now == 1000ms);
  // Queued replies survive the reconnect and go out once the channel is joined again.
  session.say("#tweetup", "still here", now);
  CHECK(session.queued() == 1);
  session.on_timer(*wake(after), 0.5);
  session.on_connected(*wake(after));
  CHECK(lines(session.on_line(":irc.test.local 001 tweetbot :Welcome", *wake(after) + 10s)) ==
        std::vector<std::string>{"JOIN #tweetup,#meetups"});
  const actions joined = session.on_line(":" + self_prefix + " JOIN #tweetup", *wake(after) + 11s);
  CHECK(lines(joined) == std::vector<std::string>{"PRIVMSG #tweetup :still here"});
}

TEST_CASE("moderators from NAMES, MODE, NICK, PART, QUIT and KICK, PREFIX from 005") {
  irc_session session(irc_settings());
  register_plain(session, t0);
  session.on_line(
      ":irc.test.local 005 tweetbot CASEMAPPING=rfc1459 CHANMODES=IXbeg,k,FHJLfjl,"
      "ABCDKMNOPQRSTcimnprstuz CHANTYPES=# PREFIX=(Yqaohv)!~&@%+ "
      ":are supported by this server",
      t0);
  session.on_line(
      ":irc.test.local 353 tweetbot = #tweetup :!root ~owner &admin @alice %bob "
      "+carol dave tweetbot",
      t0);
  session.on_line(":irc.test.local 366 tweetbot #tweetup :End of /NAMES list.", t0);
  for (const char* nick : {"root", "owner", "admin", "alice", "bob"})
    CHECK(session.is_moderator("#tweetup", nick));
  CHECK_FALSE(session.is_moderator("#tweetup", "carol"));
  CHECK_FALSE(session.is_moderator("#tweetup", "dave"));
  CHECK(session.is_moderator("#TWEETUP", "ALICE"));  // rfc1459 casemapping

  // "+ol-h carol 10 bob": o takes carol, l takes 10 when set, h takes bob.
  session.on_line(":alice!alice@127.0.0.1 MODE #tweetup +ol-h carol 10 bob", t0);
  CHECK(session.is_moderator("#tweetup", "carol"));
  CHECK_FALSE(session.is_moderator("#tweetup", "bob"));
  session.on_line(":alice!alice@127.0.0.1 MODE #tweetup +b-o *!*@spam carol", t0);
  CHECK_FALSE(session.is_moderator("#tweetup", "carol"));

  session.on_line(":alice!alice@127.0.0.1 NICK :alicia", t0);
  CHECK(session.is_moderator("#tweetup", "alicia"));
  CHECK_FALSE(session.is_moderator("#tweetup", "alice"));
  session.on_line(":alicia!alice@127.0.0.1 PART #tweetup :bye", t0);
  CHECK_FALSE(session.is_moderator("#tweetup", "alicia"));
  session.on_line(":owner!o@127.0.0.1 QUIT :Quit: gone", t0);
  CHECK_FALSE(session.is_moderator("#tweetup", "owner"));
  session.on_line(":root!r@127.0.0.1 KICK #tweetup admin :demoted", t0);
  CHECK_FALSE(session.is_moderator("#tweetup", "admin"));
  // A returning user starts without modes.
  session.on_line(":alicia!alice@127.0.0.1 JOIN :#tweetup", t0);
  CHECK_FALSE(session.is_moderator("#tweetup", "alicia"));

  const auto got = all<irc_action::deliver>(
      session.on_line(":root!r@127.0.0.1 PRIVMSG #tweetup :!tweetup cancel 3", t0));
  REQUIRE(got.size() == 1);
  CHECK(got[0].is_moderator);
}

TEST_CASE("with multi-prefix, a member keeps the modes a MODE did not take away") {
  irc_session session(irc_settings());
  session.start(t0);
  session.on_connected(t0);
  CHECK(lines(session.on_line(":irc.test.local CAP * LS :multi-prefix server-time", t0)) ==
        std::vector<std::string>{"CAP REQ :server-time multi-prefix"});
  session.on_line(":irc.test.local CAP * ACK :server-time multi-prefix", t0);
  session.on_line(":irc.test.local 001 tweetbot :Welcome", t0);
  session.on_line(":" + self_prefix + " JOIN :#tweetup", t0);
  session.on_line(":irc.test.local 353 tweetbot = #tweetup :~@alice tweetbot", t0);
  session.on_line(":irc.test.local 366 tweetbot #tweetup :End of /NAMES list.", t0);
  session.on_line(":services!s@127.0.0.1 MODE #tweetup -q alice", t0);
  CHECK(session.is_moderator("#tweetup", "alice"));  // still +o
  session.on_line(":services!s@127.0.0.1 MODE #tweetup -o alice", t0);
  CHECK_FALSE(session.is_moderator("#tweetup", "alice"));
}

TEST_CASE("the sender's id is the nick in lower case, whatever the CASEMAPPING (I7)") {
  irc_session session(irc_settings());
  register_plain(session, t0);  // no CASEMAPPING yet: rfc1459, the default
  const auto said = [&](const std::string& nick) {
    const auto got = all<irc_action::deliver>(
        session.on_line(":" + nick + "!u@127.0.0.1 PRIVMSG #tweetup :!join 1", t0));
    REQUIRE(got.size() == 1);
    CHECK(got[0].nick == nick);  // shown and pinged as typed
    return got[0].user_id;
  };
  CHECK(said("Bob") == "bob");
  CHECK(said("BOB") == said("bob"));
  // Not folded to {away}: an ascii or rfc8265 server keeps [away] and {away} apart, and the
  // id must not change when 005 names the server's mapping.
  CHECK(said("Cy[away]") == "cy[away]");
  session.on_line(":irc.test.local 005 tweetbot CASEMAPPING=ascii :are supported", t0);
  CHECK(said("Cy[away]") == "cy[away]");
}

TEST_CASE("a reply to part of a channel (@#chan) waits for the channel, and goes with it") {
  irc_session session(irc_settings());
  register_plain(session, t0);
  const time_point t1 = t0 + 60s;
  session.on_line(":alice!alice@127.0.0.1 KICK #tweetup tweetbot :behave", t1);
  // Not sent before we are back in #tweetup: it would only earn 404.
  CHECK(lines(session.say("@#tweetup", "for the operators", t1, 5)).empty());
  CHECK(session.queued() == 1);
  session.on_timer(t1 + 10s, 0.5);  // JOIN #tweetup
  const actions banned = session.on_line(
      ":irc.test.local 474 tweetbot #tweetup :Cannot join channel (you're banned)", t1 + 10s);
  CHECK(session.queued() == 0);  // dropped with the channel's other lines
  REQUIRE(all<irc_action::not_sent>(banned).size() == 1);
  CHECK(all<irc_action::not_sent>(banned)[0].receipt == 5);
  // And refused at once while the channel will not have us.
  CHECK(all<irc_action::not_sent>(session.say("@#tweetup", "again", t1 + 11s, 6)).size() == 1);
}

TEST_CASE("PRIVMSG delivery: channels we are in, private messages, CTCP, our own echo") {
  irc_session session(irc_settings());
  register_plain(session, t0);
  session.on_line(":irc.test.local 353 tweetbot = #tweetup :@alice bob tweetbot", t0);

  const auto channel = all<irc_action::deliver>(
      session.on_line("@msgid=63E1033A051D4B41B1AB1FA3CF4B243E;time=2024-05-01T12:00:00.000Z "
                      ":bob!bob@127.0.0.1 PRIVMSG #tweetup :!tweetup Starbucks Alabaster 3pm",
                      t0));
  REQUIRE(channel.size() == 1);
  CHECK(channel[0].channel == "#tweetup");
  CHECK(channel[0].nick == "bob");
  CHECK(channel[0].user_host == "bob@127.0.0.1");
  CHECK(channel[0].text == "!tweetup Starbucks Alabaster 3pm");
  CHECK_FALSE(channel[0].is_moderator);
  CHECK(channel[0].msgid == "63E1033A051D4B41B1AB1FA3CF4B243E");

  const auto op = all<irc_action::deliver>(
      session.on_line(":alice!alice@127.0.0.1 PRIVMSG #tweetup :!join 1", t0));
  REQUIRE(op.size() == 1);
  CHECK(op[0].is_moderator);
  CHECK_FALSE(op[0].msgid);
  CHECK(op[0].reply_target.empty());

  // STATUSMSG: to the channel's operators; the replies go to them too.
  const auto ops_only = all<irc_action::deliver>(
      session.on_line(":alice!alice@127.0.0.1 PRIVMSG @#TweetUp :!tweetup status", t0));
  REQUIRE(ops_only.size() == 1);
  CHECK(ops_only[0].channel == "#tweetup");
  CHECK(ops_only[0].reply_target == "@#tweetup");

  const auto direct = all<irc_action::deliver>(
      session.on_line(":bob!bob@127.0.0.1 PRIVMSG tweetbot :!tweetup list", t0));
  REQUIRE(direct.size() == 1);
  CHECK(direct[0].channel == "bob");
  CHECK_FALSE(direct[0].is_moderator);

  const auto action =
      all<irc_action::deliver>(session.on_line(":bob!bob@127.0.0.1 PRIVMSG #tweetup :\x01"
                                               "ACTION waves\x01",
                                               t0));
  REQUIRE(action.size() == 1);
  CHECK(action[0].text == "waves");

  // Not for the bot: CTCP queries, our echo-message copy, channels we are not in, other nicks.
  CHECK(all<irc_action::deliver>(
            session.on_line(":bob!bob@127.0.0.1 PRIVMSG tweetbot :\x01VERSION\x01", t0))
            .empty());
  CHECK(all<irc_action::deliver>(
            session.on_line("@msgid=abc :" + self_prefix + " PRIVMSG #tweetup :hello", t0))
            .empty());
  CHECK(all<irc_action::deliver>(
            session.on_line(":bob!bob@127.0.0.1 PRIVMSG #elsewhere :!tweetup list", t0))
            .empty());
  CHECK(all<irc_action::deliver>(
            session.on_line(":bob!bob@127.0.0.1 NOTICE #tweetup :!tweetup list", t0))
            .empty());
  // The text is passed on as received: the core decides what to do with control bytes.
  const auto raw =
      all<irc_action::deliver>(session.on_line(":bob!bob@127.0.0.1 PRIVMSG #tweetup :\x02"
                                               "bold\x02 text",
                                               t0));
  REQUIRE(raw.size() == 1);
  CHECK(raw[0].text ==
        "\x02"
        "bold\x02 text");
  // A malformed line is reported and ignored.
  CHECK(all<irc_action::report>(session.on_line(":bob!b@h", t0)).size() == 1);
}

TEST_CASE("JOIN lines stay within 510 bytes for many channels") {
  auto s = irc_settings();
  s.channels.clear();
  for (int i = 0; i < 40; ++i)
    s.channels.push_back("#channel-with-a-rather-long-name-" + std::to_string(i));
  s.channels.push_back("not-a-channel");
  irc_session session(s);
  session.start(t0);
  session.on_connected(t0);
  const actions welcome = session.on_line(":irc.test.local 001 tweetbot :Welcome", t0);
  std::size_t joined = 0;
  for (const std::string& line : lines(welcome)) {
    CHECK(line.starts_with("JOIN #"));
    CHECK(line.size() <= 510);
    joined += static_cast<std::size_t>(std::count(line.begin(), line.end(), '#'));
  }
  CHECK(lines(welcome).size() > 1);
  CHECK(joined == 40);
  CHECK(all<irc_action::report>(welcome).size() == 2);  // registered, and the bad name
}

TEST_CASE("stop sends QUIT, closes and ignores everything afterwards") {
  irc_session session(irc_settings());
  register_plain(session, t0);
  const actions stopped = session.stop(t0 + 1s);
  CHECK(lines(stopped) == std::vector<std::string>{"QUIT :Tweetup signing off"});
  CHECK(has_disconnect(stopped));
  CHECK(wake(stopped) == std::nullopt);
  CHECK(session.current_phase() == phase::stopped);
  CHECK(session.on_line("PING :x", t0 + 2s).empty());
  CHECK(session.on_disconnected(t0 + 2s, 0.5).empty());
  CHECK(session.say("#tweetup", "hi", t0 + 2s).empty());
}

// ---- Twitch -------------------------------------------------------------------------------

namespace {

irc_session::settings twitch_settings() {
  irc_session::settings s;
  s.nick = "TweetBot";
  s.channels = {"#streamer"};
  s.sasl_password = "abcdefghijklmnopqrstuvwxyz0123";
  s.twitch = true;
  return s;
}

void register_twitch(irc_session& session, time_point now) {
  session.start(now);
  session.on_connected(now);
  session.on_line(
      ":tmi.twitch.tv CAP * ACK :twitch.tv/tags twitch.tv/commands twitch.tv/membership", now);
  session.on_line(":tmi.twitch.tv 001 tweetbot :Welcome, GLHF!", now);
  session.on_line(":tmi.twitch.tv 376 tweetbot :>", now);
  session.on_line(":tweetbot!tweetbot@tweetbot.tmi.twitch.tv JOIN #streamer", now);
}

std::string twitch_privmsg(const std::string& badges, const std::string& mod,
                           const std::string& nick, const std::string& text) {
  return "@badge-info=;badges=" + badges + ";color=#0D4200;display-name=" + nick +
         ";emotes=;first-msg=0;flags=;id=b34ccfc7-4977-403a-8a94-33c6bac34fb8;mod=" + mod +
         ";room-id=1337;subscriber=0;tmi-sent-ts=1507246572675;turbo=0;user-id=1337;user-type= :" +
         nick + "!" + nick + "@" + nick + ".tmi.twitch.tv PRIVMSG #streamer :" + text;
}

}  // namespace

TEST_CASE("Twitch registration: PASS oauth:, lowercase NICK, Twitch capabilities (T2)") {
  irc_session session(twitch_settings());
  session.start(t0);
  const actions opened = session.on_connected(t0);
  const auto sent = all<irc_action::send_line>(opened);
  REQUIRE(sent.size() == 3);
  CHECK(sent[0].text == "PASS oauth:abcdefghijklmnopqrstuvwxyz0123");
  CHECK(sent[0].sensitive);
  CHECK(sent[1].text == "NICK tweetbot");
  CHECK(sent[2].text == "CAP REQ :twitch.tv/tags twitch.tv/commands twitch.tv/membership");
  // Twitch needs no CAP END.
  CHECK(
      lines(session.on_line(
                ":tmi.twitch.tv CAP * ACK :twitch.tv/tags twitch.tv/commands twitch.tv/membership",
                t0))
          .empty());
  CHECK(lines(session.on_line(":tmi.twitch.tv 001 tweetbot :Welcome, GLHF!", t0)) ==
        std::vector<std::string>{"JOIN #streamer"});
  session.on_line(":tweetbot!tweetbot@tweetbot.tmi.twitch.tv JOIN #streamer", t0);
  CHECK(session.in_channel("#streamer"));
  CHECK(lines(session.on_line("PING :tmi.twitch.tv", t0)) ==
        std::vector<std::string>{"PONG :tmi.twitch.tv"});

  SUBCASE("a token already prefixed with oauth: is not prefixed twice") {
    auto s = twitch_settings();
    s.sasl_password = "oauth:xyz";
    irc_session other(s);
    other.start(t0);
    CHECK(lines(other.on_connected(t0)).front() == "PASS oauth:xyz");
  }
  SUBCASE("a refused login is fatal") {
    irc_session other(twitch_settings());
    other.start(t0);
    other.on_connected(t0);
    const actions refused =
        other.on_line(":tmi.twitch.tv NOTICE * :Login authentication failed", t0);
    CHECK(all<irc_action::fatal>(refused).size() == 1);
    CHECK(other.current_phase() == phase::stopped);
    CHECK(all<irc_action::fatal>(refused)[0].reason.find("abcdefghij") == std::string::npos);
  }
  SUBCASE("a notice queued before a refused login still gets its answer at stop()") {
    irc_session other(twitch_settings());
    other.start(t0);
    other.on_connected(t0);
    CHECK(all<irc_action::not_sent>(other.say("#streamer", "reminder", t0, 5)).empty());
    other.on_line(":tmi.twitch.tv NOTICE * :Login authentication failed", t0);
    const auto dropped = all<irc_action::not_sent>(other.stop(t0));
    REQUIRE(dropped.size() == 1);
    CHECK(dropped[0].receipt == 5);
    CHECK_FALSE(dropped[0].for_good);
  }
}

TEST_CASE("Twitch: channel logins are joined lowercase, as Twitch spells them (T2)") {
  auto settings = twitch_settings();
  settings.channels = {"#StreamerName", "#other"};
  irc_session session(settings);
  session.start(t0);
  session.on_connected(t0);
  CHECK(lines(session.on_line(":tmi.twitch.tv 001 tweetbot :Welcome, GLHF!", t0)) ==
        std::vector<std::string>{"JOIN #streamername,#other"});
  session.on_line(":tweetbot!tweetbot@tweetbot.tmi.twitch.tv JOIN #streamername", t0);
  CHECK(session.in_channel("#streamername"));
  CHECK(lines(session.say("#streamername", "hello", t0)) ==
        std::vector<std::string>{"PRIVMSG #streamername :hello"});
}

TEST_CASE(
    "Twitch: the limit follows USERSTATE, the broadcaster's own channel counts as moderated") {
  SUBCASE("the bot in its own channel") {
    auto settings = twitch_settings();
    settings.channels = {"#tweetbot"};
    irc_session session(settings);
    session.start(t0);
    session.on_connected(t0);
    session.on_line(":tmi.twitch.tv 001 tweetbot :Welcome, GLHF!", t0);
    session.on_line(":tweetbot!tweetbot@tweetbot.tmi.twitch.tv JOIN #tweetbot", t0);
    session.on_line(
        "@badge-info=;badges=;color=;display-name=TweetBot;emote-sets=0;mod=0;subscriber=0;"
        "user-type= :tmi.twitch.tv USERSTATE #tweetbot",
        t0);
    std::size_t sent = 0;
    for (int i = 0; i < 120; ++i)
      sent += lines(session.say("#tweetbot", "reply " + std::to_string(i), t0)).size();
    CHECK(sent == 100);
  }
  SUBCASE("a moderator demoted by a later USERSTATE is back to 20") {
    irc_session session(twitch_settings());
    register_twitch(session, t0);
    session.on_line("@badges=moderator/1;mod=1 :tmi.twitch.tv USERSTATE #streamer", t0);
    session.on_line("@badges=;mod=0 :tmi.twitch.tv USERSTATE #streamer", t0);
    std::size_t sent = 0;
    for (int i = 0; i < 30; ++i)
      sent += lines(session.say("#streamer", "reply " + std::to_string(i), t0)).size();
    CHECK(sent == 20);
  }
  SUBCASE("the window slides: a slot frees 30 s after each send") {
    irc_session session(twitch_settings());
    register_twitch(session, t0);
    for (int i = 0; i < 10; ++i)
      session.say("#streamer", "early " + std::to_string(i), t0);
    for (int i = 0; i < 15; ++i)
      session.say("#streamer", "later " + std::to_string(i), t0 + 10s);
    CHECK(session.queued() == 5);
    // The ten sends of t0 leave the window at t0 + 30 s: five queued lines go then.
    const actions freed = session.on_timer(t0 + 30s, 0.5);
    CHECK(lines(freed).size() == 5);
    CHECK(session.queued() == 0);
  }
}

TEST_CASE("Twitch moderators come from the badges and mod tags") {
  irc_session session(twitch_settings());
  register_twitch(session, t0);
  const auto broadcaster = all<irc_action::deliver>(
      session.on_line(twitch_privmsg("broadcaster/1,subscriber/0", "0", "streamer", "!help"), t0));
  REQUIRE(broadcaster.size() == 1);
  CHECK(broadcaster[0].is_moderator);
  CHECK(broadcaster[0].channel == "#streamer");
  CHECK(broadcaster[0].user_host == "streamer@streamer.tmi.twitch.tv");
  CHECK(broadcaster[0].msgid == "b34ccfc7-4977-403a-8a94-33c6bac34fb8");

  const auto moderator = all<irc_action::deliver>(
      session.on_line(twitch_privmsg("moderator/1", "1", "modjoe", "!tweetup cancel 2"), t0));
  REQUIRE(moderator.size() == 1);
  CHECK(moderator[0].is_moderator);

  const auto mod_tag =
      all<irc_action::deliver>(session.on_line(twitch_privmsg("", "1", "quietmod", "!list"), t0));
  REQUIRE(mod_tag.size() == 1);
  CHECK(mod_tag[0].is_moderator);

  const auto viewer = all<irc_action::deliver>(
      session.on_line(twitch_privmsg("subscriber/12,premium/1", "0", "viewer", "!join 1"), t0));
  REQUIRE(viewer.size() == 1);
  CHECK_FALSE(viewer[0].is_moderator);
}

TEST_CASE("Twitch: 20 messages per 30 s, 100 once USERSTATE says we moderate (T3)") {
  irc_session session(twitch_settings());
  register_twitch(session, t0);
  for (int i = 0; i < 25; ++i)
    session.say("#streamer", "reply " + std::to_string(i), t0);
  CHECK(session.queued() == 5);
  const actions held = session.on_timer(t0 + 29s, 0.5);
  CHECK(lines(held).empty());
  CHECK(wake(held) == t0 + 30s);
  CHECK(lines(session.on_timer(t0 + 30s, 0.5)).size() == 5);

  SUBCASE("as a moderator") {
    irc_session mod(twitch_settings());
    register_twitch(mod, t0);
    mod.on_line(
        "@badge-info=;badges=moderator/1;color=;display-name=tweetbot;emote-sets=0;mod=1;"
        "subscriber=0;user-type=mod :tmi.twitch.tv USERSTATE #streamer",
        t0);
    std::size_t sent = 0;
    for (int i = 0; i < 120; ++i)
      sent += lines(mod.say("#streamer", "reply " + std::to_string(i), t0)).size();
    CHECK(sent == 100);
  }
}

TEST_CASE("Twitch: the 30 s budget is the account's, so a reconnect does not renew it (T3)") {
  irc_session session(twitch_settings());
  register_twitch(session, t0);
  for (int i = 0; i < 40; ++i)
    session.say("#streamer", "reply " + std::to_string(i), t0);
  CHECK(session.queued() == 20);
  // Twitch asks for a reconnect 2 s later; the new connection joins again at once.
  session.on_line(":tmi.twitch.tv RECONNECT", t0 + 2s);
  session.on_disconnected(t0 + 2s, 0.0);
  session.on_timer(t0 + 4s, 0.0);
  session.on_connected(t0 + 4s);
  session.on_line(
      ":tmi.twitch.tv CAP * ACK :twitch.tv/tags twitch.tv/commands twitch.tv/membership", t0 + 4s);
  session.on_line(":tmi.twitch.tv 001 tweetbot :Welcome, GLHF!", t0 + 4s);
  session.on_line(":tmi.twitch.tv 376 tweetbot :>", t0 + 4s);
  const actions joined =
      session.on_line(":tweetbot!tweetbot@tweetbot.tmi.twitch.tv JOIN #streamer", t0 + 4s);
  CHECK(all<irc_action::send_line>(joined).empty());
  CHECK(lines(session.on_timer(t0 + 29s, 0.0)).empty());
  CHECK(lines(session.on_timer(t0 + 30s, 0.0)).size() == 20);
}

TEST_CASE("Twitch replies are cut at 500 characters (T3)") {
  irc_session session(twitch_settings());
  register_twitch(session, t0);
  std::string text;
  for (int i = 0; i < 300; ++i)
    text += "\xC3\xA9\xC3\xA9 ";  // "éé ": 3 characters, 5 bytes
  text.pop_back();
  const auto sent = lines(session.say("#streamer", text, t0));
  REQUIRE(sent.size() == 2);
  const auto first = parse_irc_line(sent[0]);
  REQUIRE(first);
  std::size_t code_points = 0;
  for (const char c : first->param(1))
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++code_points;
  CHECK(code_points <= 500);
  CHECK(code_points >= 497);
}

namespace {

// The receipts on the lines of `batch`, 0 for a line without one, in order.
std::vector<std::uint64_t> receipts(const actions& batch) {
  std::vector<std::uint64_t> out;
  for (const auto& line : all<irc_action::send_line>(batch))
    out.push_back(line.receipt);
  return out;
}

}  // namespace

namespace {

// As register_plain, on a server without echo-message: a line counts once it is written.
void register_without_echo(irc_session& session, time_point now) {
  session.start(now);
  session.on_connected(now);
  session.on_line(":irc.test.local CAP * LS :message-tags server-time", now);
  session.on_line(":irc.test.local CAP * ACK :message-tags server-time", now);
  session.on_line(":irc.test.local 001 tweetbot :Welcome to the Test IRC Network " + self_prefix,
                  now);
  session.on_line(":" + self_prefix + " JOIN :#tweetup", now);
  session.on_line(":" + self_prefix + " JOIN :#meetups", now);
}

std::vector<std::uint64_t> delivered(const actions& batch) {
  std::vector<std::uint64_t> out;
  for (const auto& d : all<irc_action::delivered>(batch))
    out.push_back(d.receipt);
  return out;
}

// The receipts of `batch`'s not_sent, each with whether it is for good.
std::vector<std::pair<std::uint64_t, bool>> not_sent(const actions& batch) {
  std::vector<std::pair<std::uint64_t, bool>> out;
  for (const auto& n : all<irc_action::not_sent>(batch))
    out.emplace_back(n.receipt, n.for_good);
  return out;
}

std::string echo(const std::string& target, const std::string& text) {
  return ":" + self_prefix + " PRIVMSG " + target + " :" + text;
}

}  // namespace

TEST_CASE("with echo-message, the server's echo or refusal settles a receipt, not the write") {
  using receipts_t = std::vector<std::uint64_t>;
  using refusals = std::vector<std::pair<std::uint64_t, bool>>;
  irc_session session(irc_settings());
  register_plain(session, t0);
  time_point now = t0 + 60s;
  CHECK(receipts(session.say("#tweetup", "one", now, 1)) == receipts_t{0});
  CHECK(session.unconfirmed() == 1);
  const actions echoed = session.on_line(echo("#tweetup", "one"), now);
  CHECK(delivered(echoed) == receipts_t{1});
  CHECK(all<irc_action::deliver>(echoed).empty());  // our own line is no command
  CHECK(session.unconfirmed() == 0);

  // A moderated channel refuses with 404: not sent, but it may go later (voice, -m).
  session.say("#meetups", "two", now, 2);
  session.say("#tweetup", "three", now, 3);
  const actions moderated = session.on_line(
      ":irc.test.local 404 tweetbot #meetups :You cannot send messages to this channel", now);
  CHECK(not_sent(moderated) == refusals{{2, false}});
  CHECK(all<irc_action::report>(moderated).size() == 1);
  CHECK(delivered(session.on_line(echo("#tweetup", "three"), now)) == receipts_t{3});

  // The server answers in order: a line with no answer before one that has one was lost.
  now += 2s;
  session.say("#meetups", "four", now, 4);
  session.say("#tweetup", "five", now, 5);
  const actions later = session.on_line(echo("#tweetup", "five"), now);
  CHECK(not_sent(later) == refusals{{4, false}});
  CHECK(delivered(later) == receipts_t{5});

  // STATUSMSG is echoed to "@#chan"; a private message to a nick that left is refused for good.
  now += 2s;
  session.say("@#tweetup", "ops only", now, 6);
  session.say("Alice", "psst", now, 7);
  CHECK(delivered(session.on_line(echo("@#tweetup", "ops only"), now)) == receipts_t{6});
  CHECK(not_sent(session.on_line(":irc.test.local 401 tweetbot alice :No such nick", now)) ==
        refusals{{7, true}});
  // An answer to nothing we wait on changes nothing.
  const actions stray = session.on_line(":irc.test.local 404 tweetbot #meetups :No", now);
  CHECK(all<irc_action::report>(stray).empty());
  CHECK(not_sent(stray).empty());

  // No answer within echo_wait: lost, may go again.
  now += 2s;
  session.say("#tweetup", "six", now, 8);
  const actions quiet = session.on_timer(now + 1s, 0.5);
  CHECK(wake(quiet) <= now + 30s);
  CHECK(not_sent(session.on_timer(now + 29s, 0.5)).empty());
  CHECK(not_sent(session.on_timer(now + 30s, 0.5)) == refusals{{8, false}});

  // The echo's text picks the line: the first line here was refused with a numeric the bot does
  // not know, so it is lost, and the second is not taken for it.
  now += 60s;
  session.say("#tweetup", "eleven", now, 11);
  session.say("#tweetup", "twelve", now, 12);
  session.on_line(":irc.test.local 999 tweetbot #tweetup :Something went wrong", now);
  const actions second = session.on_line(echo("#tweetup", "twelve"), now);
  CHECK(not_sent(second) == refusals{{11, false}});
  CHECK(delivered(second) == receipts_t{12});
  // A server may change what it relays (a censored word): the oldest line to the target.
  session.say("#tweetup", "darn it", now, 13);
  CHECK(delivered(session.on_line(echo("#tweetup", "**** it"), now)) == receipts_t{13});

  // Sent, then the connection ended before the echo: may go again.
  now += 60s;
  session.say("#tweetup", "seven", now, 9);
  CHECK(not_sent(session.on_disconnected(now, 0.5)) == refusals{{9, false}});
  CHECK(session.unconfirmed() == 0);
}

TEST_CASE("with echo-message, a message of several lines counts as sent once any was relayed") {
  irc_session::settings settings = irc_settings();
  settings.send_rate = 0.0;  // every line at once
  irc_session session(settings);
  register_plain(session, t0);
  const time_point now = t0 + 60s;
  const std::string text(1200, 'x');  // three lines
  const auto sent = lines(session.say("#tweetup", text, now, 5));
  REQUIRE(sent.size() == 3);
  const auto part = [&](std::size_t i) { return sent[i].substr(sent[i].find(" :") + 2); };
  // Devoiced after two lines: the third is refused, but sending the message again would
  // repeat the first two.
  CHECK(delivered(session.on_line(echo("#tweetup", part(0)), now)).empty());
  CHECK(delivered(session.on_line(echo("#tweetup", part(1)), now)).empty());
  const actions third = session.on_line(
      ":irc.test.local 404 tweetbot #tweetup :You cannot send messages to this channel", now);
  CHECK(delivered(third) == std::vector<std::uint64_t>{5});
  CHECK(not_sent(third).empty());

  // Refused from the first line: not sent, and for good when the refusal is.
  const auto again = lines(session.say("#tweetup", text, now, 6));
  REQUIRE(again.size() == 3);
  for (int i = 0; i < 2; ++i)
    session.on_line(
        ":irc.test.local 936 tweetbot #tweetup x :Your message contained a filtered word", now);
  const actions last = session.on_line(
      ":irc.test.local 936 tweetbot #tweetup x :Your message contained a filtered word", now);
  CHECK(not_sent(last) == std::vector<std::pair<std::uint64_t, bool>>{{6, true}});
  CHECK(session.unconfirmed() == 0);
}

TEST_CASE("a message cut short by a channel that will not have us counts by what went out") {
  irc_session session(irc_settings());
  register_plain(session, t0);
  const time_point now = t0 + 60s;
  // Three of the four lines of the burst, then a message of three lines: its first goes, the
  // other two wait for the throttle.
  for (const char* text : {"a", "b", "c"})
    session.say("#meetups", text, now);
  const auto first = lines(session.say("#tweetup", std::string(1200, 'x'), now, 5));
  REQUIRE(first.size() == 1);
  REQUIRE(session.queued() == 2);
  for (const char* text : {"a", "b", "c"})
    session.on_line(echo("#meetups", text), now);
  // Kicked before the rest went, and kept out: the first line was relayed, so the message counts
  // as sent (sending it again would repeat that line).
  session.on_line(":alice!alice@127.0.0.1 KICK #tweetup tweetbot :behave", now);
  CHECK(delivered(session.on_line(echo("#tweetup", first[0].substr(first[0].find(" :") + 2)), now))
            .empty());
  session.on_timer(now + 10s, 0.5);  // JOIN #tweetup
  const actions full = session.on_line(
      ":irc.test.local 471 tweetbot #tweetup :Cannot join channel (channel is full)", now + 10s);
  CHECK(delivered(full) == std::vector<std::uint64_t>{5});
  CHECK(not_sent(full).empty());

  // Kicked from a channel we were only put in: what waits for it is refused for good at once.
  session.on_line(":" + self_prefix + " JOIN :#elsewhere", now + 20s);
  for (const char* text : {"d", "e", "f", "g"})
    session.say("#meetups", text, now + 20s);
  session.say("#elsewhere", "notice", now + 20s, 6);
  REQUIRE(session.queued() > 0);
  CHECK(not_sent(session.on_line(":op!op@127.0.0.1 KICK #elsewhere tweetbot :out", now + 20s)) ==
        std::vector<std::pair<std::uint64_t, bool>>{{6, true}});
}

TEST_CASE("a message's receipt rides on its last line, after the prefix grew too") {
  irc_session session(irc_settings());
  register_without_echo(session, t0);
  CHECK(receipts(session.say("#tweetup", "short", t0 + 60s, 7)) == std::vector<std::uint64_t>{7});
  std::string text;
  for (int i = 0; i < 2000; ++i)
    text += "\xC3\xA9";  // 4,000 bytes: 8 or more lines, most of them queued
  std::vector<std::uint64_t> seen = receipts(session.say("#tweetup", text, t0 + 61s, 8));
  session.on_line(":tweetbot!tweetup@127.0.0.1 NICK :Guest4821312", t0 + 61s);  // re-split
  for (int s = 1; s <= 30; ++s) {
    for (const auto r : receipts(session.on_timer(t0 + 61s + std::chrono::seconds(s), 0.5)))
      seen.push_back(r);
  }
  REQUIRE(seen.size() > 8);
  CHECK(seen.back() == 8);
  CHECK(std::count(seen.begin(), seen.end(), 8) == 1);
  CHECK(std::count(seen.begin(), seen.end(), 0) == static_cast<long>(seen.size()) - 1);
}

TEST_CASE("a message that will not go says so by its receipt: for good, or for now") {
  irc_session::settings small = irc_settings();
  small.queue_limit = 6;
  irc_session session(small);
  register_plain(session, t0);
  const time_point t1 = t0 + 60s;
  // An invalid target: for good.
  auto refused = all<irc_action::not_sent>(session.say("bad target", "x", t1, 1));
  REQUIRE(refused.size() == 1);
  CHECK(refused[0].receipt == 1);
  CHECK(refused[0].for_good);
  // Waiting for a channel that then refuses us (474): for good, when its lines are dropped.
  session.on_line(":alice!alice@127.0.0.1 KICK #tweetup tweetbot :behave", t1);
  CHECK(all<irc_action::not_sent>(session.say("#tweetup", "waits", t1, 3)).empty());
  session.on_timer(t1 + 10s, 0.5);  // JOIN #tweetup
  auto banned = all<irc_action::not_sent>(session.on_line(
      ":irc.test.local 474 tweetbot #tweetup :Cannot join channel (you're banned)", t1 + 10s));
  REQUIRE(banned.size() == 1);
  CHECK(banned[0].receipt == 3);
  CHECK(banned[0].for_good);
  // Without a receipt nothing is said.
  CHECK(all<irc_action::not_sent>(session.say("#tweetup", "later", t1 + 11s)).empty());
  // A channel we are not in and will not join: the notice would wait for ever.
  auto elsewhere = all<irc_action::not_sent>(session.say("#elsewhere", "x", t1 + 11s, 4));
  REQUIRE(elsewhere.size() == 1);
  CHECK(elsewhere[0].for_good);
  // The queue is full: not now, the message may go again later.
  for (int i = 0; i < 10; ++i)
    session.say("#meetups", "filler " + std::to_string(i), t1 + 12s);
  const std::size_t queued = session.queued();
  auto full = all<irc_action::not_sent>(session.say("#meetups", "reminder", t1 + 12s, 2));
  REQUIRE(full.size() == 1);
  CHECK(full[0].receipt == 2);
  CHECK_FALSE(full[0].for_good);
  CHECK(session.queued() == queued);  // none of its lines: a later try sends it whole
}

TEST_CASE("stop() answers for the receipts the throttle still held, and for a later say()") {
  irc_session session(irc_settings());
  register_plain(session, t0);
  const time_point t1 = t0 + 60s;
  // The burst goes at once; what is beyond it waits for the throttle.
  for (std::uint64_t r = 1; r <= 8; ++r)
    session.say("#tweetup", "line " + std::to_string(r), t1, r);
  REQUIRE(session.queued() > 0);
  const std::size_t held = session.queued();
  // The server echoes the first line of the burst; the others it has not answered yet.
  CHECK(delivered(session.on_line(echo("#tweetup", "line 1"), t1)) ==
        std::vector<std::uint64_t>{1});
  const std::size_t unanswered = session.unconfirmed();
  REQUIRE(unanswered == 8 - held - 1);
  const actions stopped = session.stop(t1);
  CHECK(session.queued() == 0);
  CHECK(session.unconfirmed() == 0);
  REQUIRE(all<irc_action::report>(stopped).size() == 2);  // the log says how many
  CHECK(all<irc_action::report>(stopped)[0].text.starts_with(std::to_string(held) + " queued"));
  CHECK(all<irc_action::report>(stopped)[1].text.starts_with(std::to_string(unanswered) + " line"));
  const auto dropped = all<irc_action::not_sent>(stopped);
  REQUIRE(dropped.size() == held + unanswered);
  CHECK(dropped.front().receipt == 8 - held + 1);  // the throttle's first
  CHECK(dropped.back().receipt == 8 - held);       // the last line sent
  for (const auto& d : dropped)
    CHECK_FALSE(d.for_good);  // another run may send them
  // The QUIT still goes, and nothing of the dropped lines after it.
  REQUIRE(all<irc_action::send_line>(stopped).size() == 1);
  CHECK(all<irc_action::send_line>(stopped)[0].text.starts_with("QUIT"));
  const auto late = all<irc_action::not_sent>(session.say("#tweetup", "too late", t1, 9));
  REQUIRE(late.size() == 1);
  CHECK(late[0].receipt == 9);
  CHECK_FALSE(late[0].for_good);
}

}  // namespace tweetup::irc
