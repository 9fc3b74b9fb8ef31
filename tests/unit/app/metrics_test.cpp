// The counters move: a dispatcher and a scheduler on a :memory: SQLite store, behind the
// counting chat port, as application.cpp wires them. The registry is process-wide, so every
// check compares a value before and after.
#include <doctest/doctest.h>

#include <date/date.h>

#include <boost/asio/io_context.hpp>

#include "app/counting_chat_port.hpp"
#include "app/dispatcher.hpp"
#include "app/wal_syncer.hpp"
#include "async/asio.hpp"
#include "core/job_runner.hpp"
#include "metrics/bot_metrics.hpp"
#include "scheduler/scheduler.hpp"
#include "storage/sqlite_event_store.hpp"
#include "support/scheduler_ports.hpp"

using namespace tweetup;
using namespace std::chrono_literals;

namespace {

std::uint64_t value(const metrics::counter_family& family,
                    std::initializer_list<std::string_view> labels) {
  const auto* series = family.find(labels);
  return series ? series->value() : 0;
}

// The bot as application.cpp builds it, minus the adapter's session.
struct bot {
  service_options options{"!", "America/Chicago", {1h}};
  sqlite_event_store store{":memory:"};
  gathering_service service{store, options};
  job_runner runner{store, options};
  test::settable_clock time{date::sys_days{date::year{2026} / 11 / 28} + 16h};  // 10:00 CST
  test::recording_port adapter;
  counting_chat_port port{adapter, "console"};
  async::asio::io_context io;
  wal_syncer no_sync{io.get_executor(), ""};  // :memory: has no WAL to sync
  dispatcher router{io.get_executor(), service, store, time, port, no_sync};
  scheduler timer{io.get_executor(), runner, port, time, no_sync};
  int next_id = 0;

  void say(const std::string& text, const std::string& who = "alice") {
    router.on_message(
        {{"console", "general"}, {"u-" + who, who}, text, "m" + std::to_string(++next_id), false});
    router.flush();  // the group commit, at once: no executor runs here
  }
};

}  // namespace

TEST_CASE("messages in and out and commands by outcome are counted at the dispatcher") {
  auto& m = metrics::bot_metrics::get();
  bot b;
  // Made with the dispatcher, so a scrape shows them at zero before the first command.
  CHECK(m.commands.find({"tweetup move", "failed"}) != nullptr);
  const auto received = value(m.messages_received, {"console"});
  const auto sent = value(m.messages_sent, {"console"});
  const auto created = value(m.commands, {"tweetup", "ok"});
  const auto joined_badly = value(m.commands, {"join", "rejected"});

  b.say("just chatting, not a command");
  b.say("!tweetup Cafe Central 3pm");
  b.say("!join 99", "bob");

  CHECK(value(m.messages_received, {"console"}) == received + 3);
  CHECK(value(m.commands, {"tweetup", "ok"}) == created + 1);
  CHECK(value(m.commands, {"join", "rejected"}) == joined_badly + 1);
  CHECK(b.adapter.posted.size() == 2);  // the chat line got no reply
  CHECK(value(m.messages_sent, {"console"}) == sent + 2);
}

TEST_CASE("scheduled posts are counted as sent, late or dropped, and pending jobs go down") {
  auto& m = metrics::bot_metrics::get();
  bot b;
  b.say("!tweetup Cafe Central 3pm");        // a 1 h reminder at 2pm, "starting now" at 3pm
  b.say("!tweetup Blue Bottle 4pm");         // reminder at 3pm, starting at 4pm
  CHECK(b.store.count_pending_jobs() == 6);  // two reminders, two "starting", two "past"
  const auto on_time = value(m.reminders, {"reminder", "sent"});
  const auto late = value(m.reminders, {"reminder", "late"});
  const auto starting_late = value(m.reminders, {"starting", "late"});
  const auto dropped = value(m.reminders, {"reminder", "dropped"});
  const auto sent = value(m.messages_sent, {"console"});

  b.time.at += 4h;  // 2pm CST: the first reminder is due now
  b.timer.drain_and_stop();
  CHECK(value(m.reminders, {"reminder", "sent"}) == on_time + 1);

  // Down from 2pm until 3:05pm: the first tweetup's "starting now" goes out late (within its
  // grace), the second one's 3pm reminder is late but still before its start.
  b.time.at += 1h + 5min;
  b.timer.drain_and_stop();
  CHECK(value(m.reminders, {"starting", "late"}) == starting_late + 1);
  CHECK(value(m.reminders, {"reminder", "late"}) == late + 1);

  // Down until 5pm: the second tweetup's "starting now" (4pm) is past its grace and dropped.
  const auto starting_dropped = value(m.reminders, {"starting", "dropped"});
  b.time.at += 1h + 55min;
  b.timer.drain_and_stop();
  CHECK(value(m.reminders, {"starting", "dropped"}) == starting_dropped + 1);
  CHECK(value(m.reminders, {"reminder", "dropped"}) == dropped);
  CHECK(value(m.messages_sent, {"console"}) == sent + 3);
  CHECK(b.store.count_pending_jobs() == 1);  // the second tweetup's end, at 6pm
}
