// Scenario tests of the gateway state machine. Time is a plain steady_clock time_point moved
// by hand; nothing here reads a clock or sleeps. Expected times are worked out in the comments.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <string>
#include <variant>
#include <vector>

#include "adapters/discord/gateway_session.hpp"

namespace tweetup {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;
using time_point = gateway_session::time_point;
using actions = gateway_session::actions;
using send_kind = gateway_action::send_kind;
using connect_mode = gateway_action::connect_mode;
using phase = gateway_session::phase;

const time_point t0 = time_point{} + 1000h;  // any instant; steady_clock has no calendar

const std::string gateway_url = "wss://gateway.discord.gg";
const std::string gateway_full = "wss://gateway.discord.gg/?v=10&encoding=json";
const std::string resume_full = "wss://gateway-us-east1-b.discord.gg/?v=10&encoding=json";

std::string hello(int interval_ms = 41250) {
  return R"({"t":null,"s":null,"op":10,"d":{"heartbeat_interval":)" + std::to_string(interval_ms) +
         "}}";
}
std::string ready(int s = 1) {
  return R"({"t":"READY","s":)" + std::to_string(s) +
         R"(,"op":0,"d":{"v":10,"user":{"id":"1100000000000000001","username":"tweetup","bot":true},)"
         R"("guilds":[],"session_id":"9f3c2a1b7e6d5c4b","resume_gateway_url":"wss://gateway-us-east1-b.discord.gg",)"
         R"("application":{"id":"1100000000000000001","flags":0}}})";
}
std::string message(int s) {
  return R"({"t":"MESSAGE_CREATE","s":)" + std::to_string(s) +
         R"(,"op":0,"d":{"id":"1311776425000000000","channel_id":"1200000000000000003",)"
         R"("guild_id":"1200000000000000002","content":"!tweetup list",)"
         R"("author":{"id":"1300000000000000004","username":"alice"}}})";
}
const std::string ack = R"({"t":null,"s":null,"op":11,"d":null})";
const std::string server_heartbeat = R"({"t":null,"s":null,"op":1,"d":null})";
const std::string reconnect_frame = R"({"t":null,"s":null,"op":7,"d":null})";
const std::string invalid_false = R"({"t":null,"s":null,"op":9,"d":false})";
const std::string invalid_true = R"({"t":null,"s":null,"op":9,"d":true})";
const std::string resumed = R"({"t":"RESUMED","s":9,"op":0,"d":{}})";

gateway_session::settings test_settings() {
  gateway_session::settings s;
  s.token = "bot-token";
  s.gateway_url = gateway_url;
  return s;
}

template <class T>
std::vector<T> all(const actions& batch) {
  std::vector<T> found;
  for (const auto& a : batch) {
    if (const auto* x = std::get_if<T>(&a.what)) found.push_back(*x);
  }
  return found;
}

template <class T>
T only(const actions& batch) {
  const auto found = all<T>(batch);
  REQUIRE(found.size() == 1);
  return found.front();
}

std::vector<gateway_action::send> sends(const actions& batch, send_kind kind) {
  std::vector<gateway_action::send> found;
  for (const auto& s : all<gateway_action::send>(batch)) {
    if (s.kind == kind) found.push_back(s);
  }
  return found;
}

std::optional<time_point> wake(const actions& batch) {
  const auto w = all<gateway_action::wake_at>(batch);
  if (w.empty()) return std::nullopt;
  return w.back().at;
}

json body(const gateway_action::send& s) {
  return json::parse(s.payload);
}

// A session connected, identified and READY at t0, with a 41.25 s heartbeat and jitter 0.5,
// so the first beat is due at t0 + 20.625 s.
struct ready_session {
  gateway_session session{test_settings()};
  ready_session() {
    auto started = session.start(t0);
    REQUIRE(only<gateway_action::connect>(started).url == gateway_full);
    session.on_connected(t0);
    auto greeted = session.on_frame(hello(), t0, 0.5);
    REQUIRE(sends(greeted, send_kind::identify).size() == 1);
    auto readied = session.on_frame(ready(), t0, 0.5);
    REQUIRE(all<gateway_action::deliver>(readied).size() == 1);
    REQUIRE(session.current_phase() == phase::established);
  }
};

TEST_CASE("start connects to the cached gateway URL with v=10 and json") {
  gateway_session session(test_settings());
  const auto out = session.start(t0);
  const auto connect = only<gateway_action::connect>(out);
  CHECK(connect.url == gateway_full);
  CHECK(connect.mode == connect_mode::identify);
  CHECK(session.current_phase() == phase::connecting);
  CHECK(session.start(t0).empty());  // a second start does nothing
}

TEST_CASE("identify -> READY -> heartbeats with ACKs (G4, G6, G8)") {
  gateway_session session(test_settings());
  session.start(t0);
  // Nothing to do but wait for Hello, for 30 s at most.
  CHECK(wake(session.on_connected(t0)) == t0 + 30s);
  CHECK(session.next_wakeup() == t0 + 30s);

  // Hello with jitter 0.25: first beat at 41250 ms * 0.25 = 10312.5 ms.
  auto out = session.on_frame(hello(), t0, 0.25);
  const auto identify = sends(out, send_kind::identify);
  REQUIRE(identify.size() == 1);
  const auto d = body(identify[0])["d"];
  CHECK(body(identify[0])["op"] == 2);
  CHECK(d["token"] == "bot-token");
  CHECK(d["intents"] == 37377);
  CHECK(d["properties"]["os"] == "linux");
  CHECK(wake(out) == t0 + 10312500us);
  CHECK(sends(out, send_kind::heartbeat).empty());

  out = session.on_frame(ready(), t0 + 1s, 0.0);
  const auto delivered = only<gateway_action::deliver>(out);
  CHECK(std::holds_alternative<gateway_event::ready>(delivered.event.data));
  CHECK(session.session_id() == "9f3c2a1b7e6d5c4b");
  CHECK(session.resume_gateway_url() == "wss://gateway-us-east1-b.discord.gg");
  CHECK(session.last_sequence() == 1);

  CHECK(session.on_timer(t0 + 10312499us, 0.0).size() == 1);  // only the wake_at again
  out = session.on_timer(t0 + 10312500us, 0.0);
  auto beat = sends(out, send_kind::heartbeat);
  REQUIRE(beat.size() == 1);
  CHECK(body(beat[0]) == json::parse(R"({"op":1,"d":1})"));
  CHECK(wake(out) == t0 + 10312500us + 41250ms);

  out = session.on_frame(message(2), t0 + 11s, 0.0);
  CHECK(std::holds_alternative<gateway_event::message_create>(
      only<gateway_action::deliver>(out).event.data));
  session.on_frame(ack, t0 + 10312500us + 80ms, 0.0);
  CHECK(session.heartbeat_latency() == 80ms);

  out = session.on_timer(t0 + 10312500us + 41250ms, 0.0);
  beat = sends(out, send_kind::heartbeat);
  REQUIRE(beat.size() == 1);
  CHECK(body(beat[0])["d"] == 2);
  CHECK(all<gateway_action::close>(out).empty());
  session.on_frame(ack, t0 + 52s, 0.0);
  out = session.on_timer(t0 + 10312500us + 82500ms, 0.0);
  CHECK(sends(out, send_kind::heartbeat).size() == 1);
  CHECK(all<gateway_action::close>(out).empty());
}

TEST_CASE("heartbeating starts before Identify and carries on through it (G4)") {
  gateway_session session(test_settings());
  session.start(t0);
  session.on_connected(t0);
  // Jitter 0: the first beat is due at once, and goes out ahead of the Identify.
  const auto out = session.on_frame(hello(), t0, 0.0);
  const auto sent = all<gateway_action::send>(out);
  REQUIRE(sent.size() == 2);
  CHECK(sent[0].kind == send_kind::heartbeat);
  CHECK(body(sent[0]) == json::parse(R"({"op":1,"d":null})"));
  CHECK(sent[1].kind == send_kind::identify);
}

TEST_CASE("a server op 1 gets an immediate heartbeat with the last sequence (G5)") {
  ready_session r;
  r.session.on_frame(message(5), t0 + 2s, 0.0);
  const auto out = r.session.on_frame(server_heartbeat, t0 + 3s, 0.0);
  const auto beat = sends(out, send_kind::heartbeat);
  REQUIRE(beat.size() == 1);
  CHECK(body(beat[0])["d"] == 5);
  CHECK(wake(out) == t0 + 20625ms);  // the timer keeps its cadence
}

TEST_CASE("a beat the server asked for just before a timed one is no zombie without its ACK") {
  ready_session r;
  // The timed beat at t0 + 20.625 s is acknowledged; the server asks for one 10 ms before the
  // next (t0 + 61.875 s), and that ACK has not come back by then.
  REQUIRE(sends(r.session.on_timer(t0 + 20625ms, 0.0), send_kind::heartbeat).size() == 1);
  r.session.on_frame(ack, t0 + 20700ms, 0.0);
  REQUIRE(
      sends(r.session.on_frame(server_heartbeat, t0 + 61865ms, 0.0), send_kind::heartbeat).size() ==
      1);
  auto out = r.session.on_timer(t0 + 61875ms, 0.0);
  CHECK(all<gateway_action::close>(out).empty());
  CHECK(sends(out, send_kind::heartbeat).size() == 1);
  // Had the connection died, the beat after that finds it, within two intervals of the last
  // ACK.
  out = r.session.on_timer(t0 + 103125ms, 0.0);
  CHECK(only<gateway_action::close>(out).code == 4000);
  CHECK(only<gateway_action::connect>(out).mode == connect_mode::resume);
}

TEST_CASE("a timed beat the shell sent late is still a zombie at the next beat without an ACK") {
  ready_session r;
  // Due at t0 + 20.625 s, sent 30 ms late; the next stays due at t0 + 61.875 s.
  REQUIRE(sends(r.session.on_timer(t0 + 20655ms, 0.0), send_kind::heartbeat).size() == 1);
  CHECK(only<gateway_action::close>(r.session.on_timer(t0 + 61875ms, 0.0)).code == 4000);
}

TEST_CASE("while the shell reads nothing, heartbeats go on and a missing ACK is no zombie") {
  ready_session r;
  // Beats are due at t0 + 20.625 s and then every 41.25 s.
  CHECK(sends(r.session.on_timer(t0 + 20625ms, 0.0), send_kind::heartbeat).size() == 1);
  r.session.set_reading_paused(true);  // backpressure: the ACK may now sit unread
  CHECK(r.session.reads_held());
  for (const auto at : {t0 + 61875ms, t0 + 103125ms}) {
    const auto out = r.session.on_timer(at, 0.0);
    CHECK(sends(out, send_kind::heartbeat).size() == 1);
    CHECK(all<gateway_action::close>(out).empty());
    CHECK(all<gateway_action::connect>(out).empty());
  }
  // Reading again: the ACK may still be behind the frames that queued up, so the next beat
  // waits too; only a whole interval of reading without an ACK is a zombie.
  r.session.set_reading_paused(false);
  auto out = r.session.on_timer(t0 + 144375ms, 0.0);
  CHECK(sends(out, send_kind::heartbeat).size() == 1);
  CHECK(all<gateway_action::close>(out).empty());
  out = r.session.on_timer(t0 + 185625ms, 0.0);
  CHECK(sends(out, send_kind::heartbeat).empty());
  CHECK(only<gateway_action::close>(out).code == 4000);
  CHECK(only<gateway_action::connect>(out).mode == connect_mode::resume);
}

TEST_CASE("after a pause, a backlog read for longer than an interval is no zombie, silence is") {
  ready_session r;
  CHECK(sends(r.session.on_timer(t0 + 20625ms, 0.0), send_kind::heartbeat).size() == 1);
  r.session.set_reading_paused(true);
  r.session.on_timer(t0 + 61875ms, 0.0);
  r.session.set_reading_paused(false);
  // A slow shell drains the backlog for two whole intervals; the ACK is still behind it.
  int seq = 2;
  for (const auto interval_end : {t0 + 103125ms, t0 + 144375ms}) {
    for (auto at = interval_end - 40s; at < interval_end; at += 10s)
      r.session.on_frame(message(seq++), at, 0.0);
    const auto out = r.session.on_timer(interval_end, 0.0);
    CHECK(sends(out, send_kind::heartbeat).size() == 1);
    CHECK(all<gateway_action::close>(out).empty());
  }
  // Then nothing at all for a whole interval: the connection is dead after all.
  const auto out = r.session.on_timer(t0 + 185625ms, 0.0);
  CHECK(only<gateway_action::close>(out).code == 4000);
  CHECK(only<gateway_action::connect>(out).mode == connect_mode::resume);
}

TEST_CASE("a new connection reads its handshake while reading is paused, then holds again") {
  ready_session r;
  r.session.set_reading_paused(true);
  CHECK(r.session.reads_held());
  // Discord asks for a reconnect (read before the pause took effect): the new connection must
  // read Hello and RESUMED, or it could never resume.
  const auto out = r.session.on_frame(reconnect_frame, t0 + 5s, 0.0);
  REQUIRE(only<gateway_action::connect>(out).mode == connect_mode::resume);
  r.session.on_connected(t0 + 6s);
  CHECK(r.session.reading_paused());
  CHECK_FALSE(r.session.reads_held());
  const auto greeted = r.session.on_frame(hello(), t0 + 6s, 0.5);
  CHECK(sends(greeted, send_kind::resume).size() == 1);
  CHECK_FALSE(r.session.reads_held());
  r.session.on_frame(resumed, t0 + 6s, 0.5);
  CHECK(r.session.reads_held());
  r.session.set_reading_paused(false);
  CHECK_FALSE(r.session.reads_held());
}

TEST_CASE("an ACK read after a pause ends the wait, and heartbeats carry on as before") {
  ready_session r;
  r.session.on_timer(t0 + 20625ms, 0.0);
  r.session.set_reading_paused(true);
  r.session.on_timer(t0 + 61875ms, 0.0);
  r.session.set_reading_paused(false);
  r.session.on_frame(message(2), t0 + 70s, 0.0);
  r.session.on_frame(ack, t0 + 70s, 0.0);
  auto out = r.session.on_timer(t0 + 103125ms, 0.0);
  REQUIRE(sends(out, send_kind::heartbeat).size() == 1);
  r.session.on_frame(ack, t0 + 104s, 0.0);
  out = r.session.on_timer(t0 + 144375ms, 0.0);
  CHECK(sends(out, send_kind::heartbeat).size() == 1);
  CHECK(all<gateway_action::close>(out).empty());
}

TEST_CASE("missing ACK -> zombie close (not 1000) -> resume with the same session and seq") {
  ready_session r;
  r.session.on_frame(message(2), t0 + 5s, 0.0);
  r.session.on_frame(message(3), t0 + 6s, 0.0);
  auto out = r.session.on_timer(t0 + 20625ms, 0.0);
  REQUIRE(sends(out, send_kind::heartbeat).size() == 1);  // no ACK ever comes
  r.session.on_frame(R"({"t":"TYPING_START","s":null,"op":0,"d":{}})", t0 + 30s, 0.0);

  // Detected at the next beat, one interval later: within two intervals of the silence.
  out = r.session.on_timer(t0 + 61875ms, 0.0);
  const auto close = only<gateway_action::close>(out);
  CHECK(close.code != 1000);
  CHECK(close.code != 1001);
  CHECK(close.code == 4000);
  CHECK(sends(out, send_kind::heartbeat).empty());
  const auto connect = only<gateway_action::connect>(out);
  CHECK(connect.url == resume_full);
  CHECK(connect.mode == connect_mode::resume);
  // The shell must close before it connects.
  std::size_t close_at = out.size();
  std::size_t connect_at = out.size();
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (std::holds_alternative<gateway_action::close>(out[i].what)) close_at = i;
    if (std::holds_alternative<gateway_action::connect>(out[i].what)) connect_at = i;
  }
  CHECK(close_at < connect_at);

  r.session.on_connected(t0 + 62s);
  out = r.session.on_frame(hello(), t0 + 62s, 0.5);
  CHECK(sends(out, send_kind::identify).empty());
  const auto resume = sends(out, send_kind::resume);
  REQUIRE(resume.size() == 1);
  CHECK(
      body(resume[0]) ==
      json::parse(R"({"op":6,"d":{"token":"bot-token","session_id":"9f3c2a1b7e6d5c4b","seq":3}})"));

  // Replayed events keep counting, then RESUMED re-establishes the session.
  out = r.session.on_frame(message(4), t0 + 62100ms, 0.0);
  CHECK(all<gateway_action::deliver>(out).size() == 1);
  out = r.session.on_frame(resumed, t0 + 62200ms, 0.0);
  CHECK(std::holds_alternative<gateway_event::resumed>(
      only<gateway_action::deliver>(out).event.data));
  CHECK(r.session.current_phase() == phase::established);
  CHECK(r.session.last_sequence() == 9);
}

TEST_CASE("op 7 -> close with 4000 and resume at resume_gateway_url") {
  ready_session r;
  r.session.on_frame(message(4), t0 + 2s, 0.0);
  auto out = r.session.on_frame(reconnect_frame, t0 + 3s, 0.0);
  CHECK(only<gateway_action::close>(out).code == 4000);
  const auto connect = only<gateway_action::connect>(out);
  CHECK(connect.url == resume_full);
  CHECK(connect.mode == connect_mode::resume);
  // Frames of the old connection that arrive late are ignored.
  CHECK(all<gateway_action::deliver>(r.session.on_frame(message(5), t0 + 3s, 0.0)).empty());
  r.session.on_connected(t0 + 4s);
  out = r.session.on_frame(hello(), t0 + 4s, 0.5);
  CHECK(body(sends(out, send_kind::resume).at(0))["d"]["seq"] == 4);
}

TEST_CASE("op 7 before Hello still resumes") {
  ready_session r;
  r.session.on_frame(reconnect_frame, t0 + 2s, 0.0);
  r.session.on_connected(t0 + 2s);
  const auto out = r.session.on_frame(reconnect_frame, t0 + 3s, 0.0);
  CHECK(only<gateway_action::connect>(out).mode == connect_mode::resume);
}

TEST_CASE("op 9 true -> resume at resume_gateway_url") {
  ready_session r;
  // At once, whatever the jitter: the random wait is for op 9 false.
  const auto out = r.session.on_frame(invalid_true, t0 + 2s, 0.9);
  CHECK(only<gateway_action::close>(out).code == 4000);
  CHECK(only<gateway_action::connect>(out).url == resume_full);
  CHECK(r.session.session_id() == "9f3c2a1b7e6d5c4b");
}

TEST_CASE("op 9 false -> new Identify on the cached URL, no sooner than 5 s after the last") {
  ready_session r;  // identified at t0
  auto out = r.session.on_frame(invalid_false, t0 + 2s, 0.0);
  CHECK(only<gateway_action::close>(out).code == 4000);
  CHECK(all<gateway_action::connect>(out).empty());
  CHECK(wake(out) == t0 + 5s);
  CHECK(r.session.session_id().empty());
  CHECK_FALSE(r.session.last_sequence());

  CHECK(all<gateway_action::connect>(r.session.on_timer(t0 + 4999ms, 0.0)).empty());
  out = r.session.on_timer(t0 + 5s, 0.0);
  const auto connect = only<gateway_action::connect>(out);
  CHECK(connect.url == gateway_full);
  CHECK(connect.mode == connect_mode::identify);

  r.session.on_connected(t0 + 5100ms);
  out = r.session.on_frame(hello(), t0 + 5200ms, 0.5);
  CHECK(sends(out, send_kind::resume).empty());
  REQUIRE(sends(out, send_kind::identify).size() == 1);
  // The new session's heartbeats carry null until its READY.
  out = r.session.on_timer(t0 + 5200ms + 20625ms, 0.0);
  CHECK(body(sends(out, send_kind::heartbeat).at(0))["d"].is_null());
}

TEST_CASE("op 9 false long after the last Identify waits a random 1 to 5 s, then identifies") {
  // DDOCS gateway.mdx §Resuming: "wait a random amount of time - between 1 and 5 seconds".
  for (const auto& [jitter, wait] : {std::pair{0.0, 1000ms}, std::pair{0.5, 3000ms}}) {
    CAPTURE(jitter);
    ready_session r;
    r.session.on_frame(ack, t0 + 1s, 0.0);
    auto out = r.session.on_frame(invalid_false, t0 + 10s, jitter);
    CHECK(all<gateway_action::connect>(out).empty());
    CHECK(all<gateway_action::connect>(r.session.on_timer(t0 + 10s + wait - 1ms, 0.0)).empty());
    out = r.session.on_timer(t0 + 10s + wait, 0.0);
    const auto connect = only<gateway_action::connect>(out);
    CHECK(connect.url == gateway_full);
    CHECK(connect.mode == connect_mode::identify);
  }
}

TEST_CASE("op 9 false in answer to a Resume falls back to a new Identify") {
  ready_session r;
  r.session.on_closed(std::nullopt, t0 + 60s, 0.0);
  r.session.on_connected(t0 + 60s);
  auto out = r.session.on_frame(hello(), t0 + 60s, 0.5);
  REQUIRE(sends(out, send_kind::resume).size() == 1);
  out = r.session.on_frame(invalid_false, t0 + 61s, 0.0);
  CHECK(all<gateway_action::connect>(out).empty());
  const auto connect = only<gateway_action::connect>(r.session.on_timer(t0 + 62s, 0.0));
  CHECK(connect.url == gateway_full);
  CHECK(connect.mode == connect_mode::identify);
}

TEST_CASE("4004 -> fatal, no reconnect, and the session stays stopped") {
  gateway_session session(test_settings());
  session.start(t0);
  session.on_connected(t0);
  session.on_frame(hello(), t0, 0.5);
  const auto out = session.on_closed(4004, t0 + 1s, 0.5);
  const auto fatal = only<gateway_action::fatal>(out);
  CHECK(fatal.reason.find("4004") != std::string::npos);
  CHECK(fatal.reason.find("token") != std::string::npos);
  CHECK(fatal.close_code == 4004);  // the adapter reshards on 4011 by this
  CHECK(all<gateway_action::connect>(out).empty());
  CHECK(all<gateway_action::wake_at>(out).empty());
  CHECK(session.current_phase() == phase::stopped);
  CHECK(session.on_timer(t0 + 1h, 0.5).empty());
  CHECK(session.on_connected(t0 + 1h).empty());
  CHECK(session.start(t0 + 1h).empty());
}

TEST_CASE("4014 -> fatal naming the privileged MESSAGE_CONTENT intent") {
  ready_session r;
  const auto out = r.session.on_closed(4014, t0 + 1s, 0.5);
  const auto fatal = only<gateway_action::fatal>(out);
  CHECK(fatal.reason.find("MESSAGE_CONTENT") != std::string::npos);
  CHECK(fatal.reason.find("privileged") != std::string::npos);
  CHECK(all<gateway_action::connect>(out).empty());
}

TEST_CASE("every close code from an established session leads to its action (G12)") {
  struct row {
    std::optional<std::uint16_t> code;
    const char* expect;  // "resume", "identify", "fatal"
  };
  const row rows[] = {
      {std::nullopt, "resume"}, {1000, "resume"},   {1001, "resume"},   {1006, "resume"},
      {4000, "resume"},         {4001, "resume"},   {4002, "resume"},   {4003, "identify"},
      {4004, "fatal"},          {4005, "identify"}, {4007, "identify"}, {4008, "resume"},
      {4009, "identify"},       {4010, "fatal"},    {4011, "fatal"},    {4012, "fatal"},
      {4013, "fatal"},          {4014, "fatal"},
  };
  for (const auto& r : rows) {
    CAPTURE(r.code.value_or(0));
    ready_session s;
    s.session.on_frame(ack, t0 + 1s, 0.0);
    // 10 s after the Identify, so G14 spacing does not delay a new Identify.
    const auto out = s.session.on_closed(r.code, t0 + 10s, 0.5);
    const std::string expect = r.expect;
    if (expect == "fatal") {
      CHECK(all<gateway_action::fatal>(out).size() == 1);
      CHECK(all<gateway_action::connect>(out).empty());
      continue;
    }
    CHECK(all<gateway_action::fatal>(out).empty());
    CHECK(all<gateway_action::close>(out).empty());  // the server already closed
    const auto connect = only<gateway_action::connect>(out);
    if (expect == "resume") {
      CHECK(connect.mode == connect_mode::resume);
      CHECK(connect.url == resume_full);
      CHECK(s.session.session_id() == "9f3c2a1b7e6d5c4b");
    } else {
      CHECK(connect.mode == connect_mode::identify);
      CHECK(connect.url == gateway_full);
      CHECK(s.session.session_id().empty());
    }
  }
}

TEST_CASE("abrupt drop without a close frame -> resume with the last seq") {
  ready_session r;
  r.session.on_frame(message(2), t0 + 1s, 0.0);
  r.session.on_frame(R"({"t":"GUILD_CREATE","s":3,"op":0,"d":{}})", t0 + 1s, 0.0);
  // A stale lower s never moves the sequence backwards (L6).
  r.session.on_frame(message(2), t0 + 1s, 0.0);
  CHECK(r.session.last_sequence() == 3);
  auto out = r.session.on_closed(std::nullopt, t0 + 2s, 0.9);
  CHECK(all<gateway_action::report>(out).size() == 1);
  CHECK(only<gateway_action::connect>(out).url == resume_full);  // at once: it was healthy
  r.session.on_connected(t0 + 2s);
  out = r.session.on_frame(hello(), t0 + 2s, 0.5);
  const auto d = body(sends(out, send_kind::resume).at(0))["d"];
  CHECK(d["session_id"] == "9f3c2a1b7e6d5c4b");
  CHECK(d["seq"] == 3);
}

TEST_CASE("repeated failed connects back off 1 s doubling to 60 s, times (0.5 + jitter)") {
  gateway_session session(test_settings());
  session.start(t0);
  time_point now = t0;
  // jitter 0.5 makes the factor exactly 1: 1, 2, 4, 8, 16, 32, 60, 60 s.
  const std::chrono::seconds expected[] = {1s, 2s, 4s, 8s, 16s, 32s, 60s, 60s};
  for (const auto delay : expected) {
    CAPTURE(delay.count());
    const auto out = session.on_connect_failed(now, 0.5);
    CHECK(all<gateway_action::connect>(out).empty());
    CHECK(wake(out) == now + delay);
    CHECK(all<gateway_action::connect>(session.on_timer(now + delay - 1ms, 0.5)).empty());
    now += delay;
    CHECK(only<gateway_action::connect>(session.on_timer(now, 0.5)).url == gateway_full);
  }
  // Jitter stretches or shrinks the delay: 60 s * 0.5 and 60 s * 1.25.
  CHECK(wake(session.on_connect_failed(now, 0.0)) == now + 30s);
  session.on_timer(now + 30s, 0.0);
  now += 30s;
  CHECK(wake(session.on_connect_failed(now, 0.75)) == now + 75s);
  session.on_timer(now + 75s, 0.0);
  now += 75s;

  // A successful READY resets the count; the next drop reconnects at once.
  session.on_connected(now);
  session.on_frame(hello(), now, 0.5);
  session.on_frame(ready(), now, 0.5);
  CHECK(all<gateway_action::connect>(session.on_closed(std::nullopt, now + 1s, 0.5)).size() == 1);
}

TEST_CASE("a connection closed before READY counts as a failure") {
  gateway_session session(test_settings());
  session.start(t0);
  session.on_connected(t0);
  session.on_frame(hello(), t0, 0.5);  // identify at t0
  // 4000 before READY, no session to resume: a new Identify, after 1 s of backoff and the 5 s
  // identify spacing, whichever is later: t0 + 5 s.
  auto out = session.on_closed(4000, t0 + 1s, 0.5);
  CHECK(all<gateway_action::connect>(out).empty());
  CHECK(wake(out) == t0 + 5s);
  out = session.on_timer(t0 + 5s, 0.5);
  CHECK(only<gateway_action::connect>(out).mode == connect_mode::identify);
}

TEST_CASE("no Hello within the timeout -> close and reconnect") {
  gateway_session session(test_settings());
  session.start(t0);
  session.on_connected(t0);
  const auto out = session.on_timer(t0 + 30s, 0.5);
  CHECK(only<gateway_action::close>(out).code == 4000);
  CHECK(wake(out) == t0 + 31s);  // first failure: 1 s
}

TEST_CASE("one Identify per connection, even after a second Hello (G6)") {
  gateway_session session(test_settings());
  session.start(t0);
  session.on_connected(t0);
  session.on_frame(hello(), t0, 0.5);
  const auto out = session.on_frame(hello(), t0 + 1s, 0.5);
  CHECK(sends(out, send_kind::identify).empty());
  CHECK(all<gateway_action::report>(out).size() == 1);
}

TEST_CASE("malformed frames are ignored with a report and change nothing") {
  ready_session r;
  const std::string frames[] = {
      "",
      "{",
      "garbage",
      "[1,2,3]",
      R"({"op":"x"})",
      R"({"op":10,"d":{"heartbeat_interval":"soon"}})",
      R"({"op":0,"t":"READY","s":50,"d":{"session_id":"other"}})",
      std::string(200000, '{'),
      std::string("\x00\x01\x02", 3),
  };
  for (const auto& frame : frames) {
    CAPTURE(frame.substr(0, 40));
    const auto out = r.session.on_frame(frame, t0 + 1s, 0.5);
    CHECK(all<gateway_action::report>(out).size() == 1);
    CHECK(all<gateway_action::deliver>(out).empty());
    CHECK(all<gateway_action::close>(out).empty());
    CHECK(all<gateway_action::connect>(out).empty());
  }
  CHECK(r.session.current_phase() == phase::established);
  CHECK(r.session.session_id() == "9f3c2a1b7e6d5c4b");
  CHECK(r.session.last_sequence() == 1);
  // An unknown opcode is reported too, and a frame before any connection is ignored.
  CHECK(all<gateway_action::report>(r.session.on_frame(R"({"op":42})", t0 + 1s, 0.5)).size() == 1);
  gateway_session idle(test_settings());
  CHECK(idle.on_frame("garbage", t0, 0.5).empty());
}

TEST_CASE("130 enqueued sends: never more than 110 in any 60 s, heartbeats still go out") {
  ready_session r;  // identify at t0 (1 send); beats due at t0 + 20.625 s + k * 41.25 s
  struct sent_at {
    time_point at;
    send_kind kind;
  };
  std::vector<sent_at> log{{t0, send_kind::identify}};
  const auto record = [&](const actions& out, time_point at) {
    for (const auto& s : all<gateway_action::send>(out))
      log.push_back({at, s.kind});
  };

  const time_point burst = t0 + 2s;
  std::vector<std::string> payloads;
  for (int i = 0; i < 130; ++i) {
    payloads.push_back(R"({"op":3,"d":{"since":null,"activities":[],"status":"online","afk":)" +
                       std::string(i % 2 == 0 ? "false" : "true") + "}}");
  }
  actions out;
  for (auto& p : payloads) {
    out = r.session.enqueue(p, burst);
    record(out, burst);
  }
  // 110 minus the Identify already in the window: 109 go at once, 21 wait.
  CHECK(sends(out, send_kind::queued).size() == 0);  // the last enqueue released nothing
  std::size_t first_burst = 0;
  for (const auto& e : log)
    first_burst += e.kind == send_kind::queued;
  CHECK(first_burst == 109);
  CHECK(r.session.queued() == 21);
  // As things stand at the burst, the Identify frees a slot when it leaves the window, held
  // 1/60 longer than 60 s (for the time a burst spends on the wire): at t0 + 61 s.
  CHECK(r.session.next_send_slot(burst) == t0 + 61s);
  CHECK(wake(out) == t0 + 20625ms);  // the heartbeat comes first, budget or not
  out = r.session.on_timer(t0 + 20625ms, 0.5);
  record(out, t0 + 20625ms);
  REQUIRE(sends(out, send_kind::heartbeat).size() == 1);
  r.session.on_frame(ack, t0 + 20625ms, 0.5);
  // The beat took the Identify's place in the window: now the burst itself must leave it.
  CHECK(r.session.next_send_slot(t0 + 20625ms) == burst + 61s);
  // Next wake-up: the beat due at t0 + 61.875 s, before the slot at t0 + 63 s.
  CHECK(wake(out) == t0 + 61875ms);
  CHECK(sends(r.session.on_timer(t0 + 61s, 0.5), send_kind::queued).empty());

  // Drive the timer for five minutes, ACKing every beat at once.
  time_point now = burst;
  for (int step = 0; step < 100; ++step) {
    const auto at = r.session.next_wakeup();
    REQUIRE(at);
    if (*at > t0 + 300s) break;
    now = *at;
    out = r.session.on_timer(now, 0.5);
    record(out, now);
    if (!sends(out, send_kind::heartbeat).empty()) r.session.on_frame(ack, now, 0.5);
  }
  CHECK(r.session.queued() == 0);

  std::size_t queued_total = 0;
  std::vector<time_point> beats;
  for (const auto& e : log) {
    queued_total += e.kind == send_kind::queued;
    if (e.kind == send_kind::heartbeat) beats.push_back(e.at);
  }
  CHECK(queued_total == 130);
  // The remaining 21 went at t0 + 63 s, when the burst's slots came free.
  std::size_t second_burst = 0;
  for (const auto& e : log)
    second_burst += e.kind == send_kind::queued && e.at == burst + 61s;
  CHECK(second_burst == 21);

  for (const auto& start : log) {
    std::size_t queued = 0;
    std::size_t total = 0;
    for (const auto& e : log) {
      if (e.at >= start.at && e.at < start.at + 60s) {
        ++total;
        queued += e.kind == send_kind::queued;
      }
    }
    CHECK(queued <= 110);
    CHECK(total <= 120);
  }
  // Beats at 20.625, 61.875, 103.125, ... 268.125 s: 7 of them, evenly spaced.
  REQUIRE(beats.size() == 7);
  CHECK(beats.front() == t0 + 20625ms);
  for (std::size_t i = 1; i < beats.size(); ++i)
    CHECK(beats[i] - beats[i - 1] == 41250ms);
}

TEST_CASE("queued sends wait for READY and survive a reconnect") {
  gateway_session session(test_settings());
  session.start(t0);
  CHECK(session.enqueue(R"({"op":3,"d":{}})", t0).empty());  // no deadline while connecting
  session.on_connected(t0);
  auto out = session.on_frame(hello(), t0, 0.5);
  CHECK(sends(out, send_kind::queued).empty());
  out = session.on_frame(ready(), t0 + 1s, 0.5);
  CHECK(sends(out, send_kind::queued).size() == 1);

  session.on_closed(std::nullopt, t0 + 2s, 0.5);
  session.enqueue(R"({"op":3,"d":{"afk":true}})", t0 + 2s);
  session.on_connected(t0 + 2s);
  out = session.on_frame(hello(), t0 + 2s, 0.5);
  CHECK(sends(out, send_kind::queued).empty());  // not before RESUMED
  out = session.on_frame(resumed, t0 + 3s, 0.5);
  CHECK(sends(out, send_kind::queued).size() == 1);
}

TEST_CASE("a payload over 4096 bytes is refused by enqueue (G3)") {
  ready_session r;
  const auto out = r.session.enqueue(std::string(4097, 'x'), t0 + 1s);
  CHECK(all<gateway_action::report>(out).size() == 1);
  CHECK(all<gateway_action::send>(out).empty());
  CHECK(r.session.queued() == 0);
  CHECK(sends(r.session.enqueue(std::string(4096, 'x'), t0 + 1s), send_kind::queued).size() == 1);
}

TEST_CASE("stop closes with 1000 and ends the session") {
  ready_session r;
  REQUIRE(r.session.resumable());
  const auto out = r.session.stop(t0 + 1s);
  CHECK(only<gateway_action::close>(out).code == 1000);
  CHECK(all<gateway_action::wake_at>(out).empty());
  CHECK(r.session.current_phase() == phase::stopped);
  CHECK(r.session.on_closed(std::nullopt, t0 + 2s, 0.5).empty());
  CHECK_FALSE(r.session.resumable());  // G11: 1000 ended it for Discord too
}

TEST_CASE("a stop that keeps the session closes resumably and says where to resume") {
  ready_session r;
  r.session.on_frame(message(2), t0 + 1s, 0.5);
  r.session.on_frame(message(3), t0 + 1s, 0.5);
  const auto out = r.session.stop(t0 + 2s, true);
  const auto close = only<gateway_action::close>(out);
  CHECK(close.code != 1000);  // G11: any other code leaves it resumable
  CHECK(close.code != 1001);
  CHECK(r.session.current_phase() == phase::stopped);
  // A frame read after the stop is not taken: the next process gets it replayed.
  CHECK(r.session.on_frame(message(4), t0 + 2s, 0.5).empty());
  const auto point = r.session.resumable();
  REQUIRE(point);
  CHECK(point->session_id == "9f3c2a1b7e6d5c4b");
  CHECK(point->resume_url == "wss://gateway-us-east1-b.discord.gg");
  CHECK(point->sequence == 3);
}

TEST_CASE("a session handed over by an earlier process is resumed, not identified") {
  auto settings = test_settings();
  settings.resume_from =
      gateway_session::resume_point{"9f3c2a1b7e6d5c4b", "wss://gateway-us-east1-b.discord.gg", 41};
  gateway_session session(settings);
  const auto connect = only<gateway_action::connect>(session.start(t0));
  CHECK(connect.url == resume_full);  // G9: the resume URL, with the same query
  CHECK(connect.mode == connect_mode::resume);
  session.on_connected(t0);
  auto out = session.on_frame(hello(), t0, 0.5);
  CHECK(sends(out, send_kind::identify).empty());
  const auto resume = sends(out, send_kind::resume);
  REQUIRE(resume.size() == 1);
  CHECK(body(resume[0]) ==
        json::parse(
            R"({"op":6,"d":{"token":"bot-token","session_id":"9f3c2a1b7e6d5c4b","seq":41}})"));
  // The events said meanwhile are replayed, then RESUMED.
  CHECK(all<gateway_action::deliver>(session.on_frame(message(42), t0, 0.5)).size() == 1);
  session.on_frame(resumed, t0, 0.5);
  CHECK(session.current_phase() == phase::established);
  CHECK(session.last_sequence() == 42);

  SUBCASE("Discord no longer knows it: op 9 false, then a new Identify at the gateway URL") {
    gateway_session stale(settings);
    stale.start(t0);
    stale.on_connected(t0);
    stale.on_frame(hello(), t0, 0.5);
    const auto refused = stale.on_frame(invalid_false, t0 + 1s, 0.5);
    const auto when = wake(refused);
    REQUIRE(when);
    const auto again = only<gateway_action::connect>(stale.on_timer(*when, 0.5));
    CHECK(again.url == gateway_full);
    CHECK(again.mode == connect_mode::identify);
    CHECK_FALSE(stale.resumable());
  }
}

TEST_CASE("an Identify too large for the gateway is fatal, not a loop") {
  auto settings = test_settings();
  settings.token = std::string(5000, 't');
  gateway_session session(settings);
  session.start(t0);
  session.on_connected(t0);
  const auto out = session.on_frame(hello(), t0, 0.5);
  CHECK(all<gateway_action::fatal>(out).size() == 1);
  CHECK(sends(out, send_kind::identify).empty());
  CHECK(session.current_phase() == phase::stopped);
}

TEST_CASE("the resume URL gets the query of the first connection, with or without a slash") {
  auto settings = test_settings();
  settings.gateway_url = "ws://127.0.0.1:4242/";
  settings.query = "v=10&encoding=json&compress=zlib-stream";
  gateway_session session(settings);
  CHECK(only<gateway_action::connect>(session.start(t0)).url ==
        "ws://127.0.0.1:4242/?v=10&encoding=json&compress=zlib-stream");
  session.on_connected(t0);
  session.on_frame(hello(), t0, 0.5);
  session.on_frame(ready(), t0, 0.5);
  CHECK(only<gateway_action::connect>(session.on_frame(reconnect_frame, t0 + 1s, 0.5)).url ==
        "wss://gateway-us-east1-b.discord.gg/?v=10&encoding=json&compress=zlib-stream");
}

}  // namespace
}  // namespace tweetup
