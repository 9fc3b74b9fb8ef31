// The dispatcher's group commit: a burst shares one commit, each command in its own savepoint,
// replies leave in order and only after the commit, and a failed commit claims no success.
// Runs a real io_context (no sockets) so the batching across executor turns is the real one.
#include "app/dispatcher.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

#include <date/date.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "app/wal_syncer.hpp"
#include "core/store_error.hpp"
#include "storage/sqlite_event_store.hpp"
#include "support/fake_barrier.hpp"
#include "support/in_child.hpp"
#include "support/memory_event_store.hpp"
#include "support/temp_db.hpp"

using namespace tweetup;
using tweetup::test::cap_file_size;
using tweetup::test::in_child;
namespace asio = boost::asio;

namespace {

// Saturday 28 November 2026, 10:15 CST.
const std::chrono::sys_seconds fixed_now =
    date::sys_days{date::year{2026} / 11 / 28} + std::chrono::hours{16} + std::chrono::minutes{15};

class fixed_clock final : public clock {
 public:
  std::chrono::sys_seconds now() const override { return fixed_now; }
};

// Records each reply with the number of commits the store had made when it was posted.
class recording_port final : public chat_port {
 public:
  explicit recording_port(std::function<int()> commits) : commits_(std::move(commits)) {}
  void post(outbound_message message) override {
    texts.push_back(message.plain_text());
    reply_to.push_back(message.reply_to);
    commits_at_post.push_back(commits_());
  }
  std::vector<std::string> texts;
  std::vector<std::string> reply_to;
  std::vector<int> commits_at_post;

 private:
  std::function<int()> commits_;
};

inbound_message say(const std::string& author, const std::string& text, int id) {
  inbound_message m;
  m.channel = {"console", "general"};
  m.author = {"u-" + author, author};
  m.text = text;
  m.message_id = "m" + std::to_string(id);
  return m;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// The wiring of application.cpp around a given store.
struct rig {
  explicit rig(event_store& s, std::function<int()> commits)
      : store(s), service(s, {"!", "America/Chicago"}), port(std::move(commits)) {}
  event_store& store;
  asio::io_context io;
  fixed_clock time;
  gathering_service service;
  recording_port port;
  int wakes = 0;
  wal_syncer no_sync{io.get_executor(), ""};  // replies go as soon as the commit returns
  dispatcher router{io.get_executor(), service, store, time, port, no_sync, [this] { ++wakes; }};

  // Delivers the messages the way Beast hands over buffered frames: one per executor turn.
  void deliver_one_per_turn(std::vector<inbound_message> messages) {
    auto shared = std::make_shared<std::vector<inbound_message>>(std::move(messages));
    auto next = std::make_shared<std::function<void(std::size_t)>>();
    *next = [this, shared, weak = std::weak_ptr(next)](std::size_t i) {
      if (i >= shared->size()) return;
      router.on_message((*shared)[i]);
      asio::post(io, [weak, i] {
        if (auto step = weak.lock()) (*step)(i + 1);
      });
    };
    (*next)(0);
    io.run();
    io.restart();
  }
};

// The rig with replies that wait for the fake's sync.
struct synced_rig {
  memory_event_store store;
  asio::io_context io;
  fixed_clock time;
  gathering_service service{store, {"!", "America/Chicago"}};
  recording_port port{[this] { return store.transactions_committed(); }};
  fake_barrier barrier;
  int wakes = 0;
  std::optional<dispatcher> router{std::in_place, io.get_executor(),  service, store, time, port,
                                   barrier,       [this] { ++wakes; }};
  void run() {
    io.run();
    io.restart();
  }
};

struct memory_rig {
  memory_event_store store;
  rig r{store, [this] { return store.transactions_committed(); }};
};

}  // namespace

TEST_CASE("dispatcher: a burst shares one commit, replies follow it, in order") {
  memory_rig m;
  m.r.router.on_message(say("alice", "!tweetup Cafe 3pm", 1));
  m.r.router.on_message(say("bob", "hello, just chatting", 2));
  m.r.router.on_message(say("bob", "!join 1", 3));
  m.r.router.on_message(say("cat", "!join 1", 4));
  CHECK(m.r.port.texts.empty());  // nothing before the flush has committed
  m.r.io.run();

  CHECK(m.store.transactions_committed() == 1);
  CHECK(m.r.router.stats().batches == 1);
  CHECK(m.r.router.stats().messages == 4);
  REQUIRE(m.r.port.texts.size() == 3);
  CHECK(m.r.port.reply_to == std::vector<std::string>{"m1", "m3", "m4"});
  CHECK(contains(m.r.port.texts[0], "You're going"));
  CHECK(contains(m.r.port.texts[2], "Now 3 going"));
  CHECK(m.r.port.commits_at_post == std::vector<int>{1, 1, 1});
  CHECK(m.r.wakes == 1);
  CHECK(m.store.rsvps_of(m.store.find_event({"console", "general"}, 1)->id).size() == 3);
}

TEST_CASE("dispatcher: a command that fails in the store is undone alone") {
  memory_rig m;
  const std::string before = m.store.dump();
  m.r.router.on_message(say("alice", "!tweetups", 1));
  m.r.router.on_message(say("bob", "!tweetup Park 2pm", 2));
  m.r.router.on_message(say("cat", "!join 7", 3));  // no such tweetup: rejected
  m.r.router.on_message(say("alice", "!tweetup Cafe 3pm", 4));
  // The first write, Park's insert, fails; the rest of the batch goes on.
  m.store.fail_next_write(store_failure::disk_full);
  m.r.io.run();

  CHECK(m.store.transactions_committed() == 1);
  REQUIRE(m.r.port.texts.size() == 4);
  CHECK(contains(m.r.port.texts[0], "No tweetups planned"));
  CHECK(contains(m.r.port.texts[1], "disk is full"));
  CHECK(contains(m.r.port.texts[2], "#7"));
  CHECK(contains(m.r.port.texts[3], "You're going"));
  // Park left nothing behind: Cafe is #1, and the only event.
  CHECK(m.store.find_event({"console", "general"}, 1)->place == "Cafe");
  CHECK_FALSE(m.store.find_event({"console", "general"}, 2).has_value());
  CHECK(m.store.dump() != before);
  CHECK(m.r.wakes == 1);
}

TEST_CASE("dispatcher: when the commit fails, no reply claims success") {
  memory_rig m;
  m.r.router.on_message(say("alice", "!tweetup Cafe 3pm", 1));
  m.r.router.flush();  // #1 exists, committed
  REQUIRE(m.r.port.texts.size() == 1);
  const std::string before = m.store.dump();
  m.r.wakes = 0;

  m.r.router.on_message(say("bob", "!join 1", 2));
  m.r.router.on_message(say("bob", "ordinary chat", 3));
  m.r.router.on_message(say("alice", "!join 1", 4));  // already going: rejected, stays so
  m.r.router.on_message(say("cat", "!tweetup Park 4pm", 5));
  m.store.fail_next_commit(store_failure::io_error);
  m.r.io.run();

  CHECK(m.store.dump() == before);
  REQUIRE(m.r.port.texts.size() == 4);
  CHECK(m.r.port.reply_to == std::vector<std::string>{"m1", "m2", "m4", "m5"});
  CHECK(contains(m.r.port.texts[1], "couldn't save that"));
  CHECK(contains(m.r.port.texts[2], "already going"));
  CHECK(contains(m.r.port.texts[3], "couldn't save that"));
  for (std::size_t i = 1; i < m.r.port.texts.size(); ++i) {
    CHECK_FALSE(contains(m.r.port.texts[i], "You're going to"));
    CHECK_FALSE(contains(m.r.port.texts[i], "Park"));
  }
  CHECK(m.r.wakes == 0);
}

TEST_CASE("dispatcher: frames handed over one turn at a time still make one batch") {
  memory_rig m;
  std::vector<inbound_message> burst{say("alice", "!tweetup Cafe 3pm", 0)};
  for (int i = 1; i < 40; ++i)
    burst.push_back(say("user" + std::to_string(i), "!join 1", i));
  m.r.deliver_one_per_turn(burst);
  CHECK(m.r.router.stats().batches == 1);
  CHECK(m.store.transactions_committed() == 1);
  CHECK(m.r.port.texts.size() == 40);
  CHECK(m.r.wakes == 1);

  // A longer burst is cut at max_batch, so the first command never waits for the whole of it.
  std::vector<inbound_message> longer;
  for (int i = 0; i < 150; ++i)
    longer.push_back(say("other" + std::to_string(i), "!join 1", 100 + i));
  m.r.deliver_one_per_turn(longer);
  CHECK(m.r.router.stats().batches == 1 + 3);
  CHECK(m.r.router.stats().messages == 40 + 150);
  CHECK(m.store.transactions_committed() == 1 + 3);
  REQUIRE(m.r.port.texts.size() == 190);
  CHECK(m.r.port.reply_to.back() == "m249");
  CHECK(m.r.wakes == 1);  // joins alone planned no job: the scheduler sleeps on
}

TEST_CASE("dispatcher: the scheduler wakes only for batches that wrote jobs") {
  memory_rig m;
  // One command, one batch: the memory store needs no sync, so flush() delivers at once.
  const auto send = [&m](const char* user, const char* text, int id) {
    m.r.router.on_message(say(user, text, id));
    m.r.router.flush();
  };
  send("alice", "!tweetup Cafe 3pm", 1);
  CHECK(m.r.wakes == 1);  // the new tweetup's reminders

  send("alice", "!tweetup limit 1 2", 2);
  CHECK(m.r.wakes == 1);  // a capacity plans no job

  send("bob", "!join 1", 3);
  send("cat", "!join 1", 4);  // full: waitlisted
  CHECK(m.r.wakes == 1);
  REQUIRE(m.r.port.texts.size() == 4);
  CHECK(contains(m.r.port.texts[3], "waitlist"));

  send("bob", "!leave 1", 5);  // cat moves up: a promotion notice is owed
  CHECK(m.r.wakes == 2);

  send("alice", "!tweetup move 1 5pm", 6);  // reminders re-planned
  CHECK(m.r.wakes == 3);
}

TEST_CASE("dispatcher: an inline message is answered, after those queued, before it returns") {
  memory_rig m;
  m.r.router.on_message(say("alice", "!tweetup Cafe 3pm", 1));
  inbound_message tap = say("bob", "!join 1", 2);
  tap.replies_inline = true;
  m.r.router.on_message(tap);
  REQUIRE(m.r.port.texts.size() == 2);
  CHECK(m.r.port.reply_to == std::vector<std::string>{"m1", "m2"});
  CHECK(m.store.transactions_committed() == 1);
  m.r.io.run();  // the flush posted for the first message finds nothing left
  CHECK(m.r.port.texts.size() == 2);
  CHECK(m.r.router.stats().batches == 1);
}

TEST_CASE("dispatcher: a flush left posted after the dispatcher is gone does nothing") {
  memory_event_store store;
  asio::io_context io;
  fixed_clock time;
  gathering_service service(store, {"!", "America/Chicago"});
  recording_port port([&] { return store.transactions_committed(); });
  {
    wal_syncer no_sync(io.get_executor(), "");
    dispatcher router(io.get_executor(), service, store, time, port, no_sync);
    router.on_message(say("alice", "!tweetup Cafe 3pm", 1));
  }
  io.run();
  CHECK(port.texts.empty());
  CHECK(store.transactions_committed() == 0);
}

TEST_CASE("dispatcher: group commit on SQLite, one rejected command among good ones") {
  sqlite_event_store store(":memory:");
  int posts = 0;
  rig r(store, [&] { return ++posts; });
  r.router.on_message(say("alice", "!tweetup Cafe 3pm", 1));
  r.router.on_message(say("bob", "!join 1", 2));
  r.router.on_message(say("bob", "!join 1", 3));  // already going: rejected
  r.router.on_message(say("cat", "!join 2", 4));  // no such tweetup: rejected
  r.router.on_message(say("dan", "!join 1 +1", 5));
  r.io.run();

  CHECK(r.router.stats().batches == 1);
  REQUIRE(r.port.texts.size() == 5);
  CHECK(contains(r.port.texts[2], "already going"));
  CHECK(contains(r.port.texts[3], "#2"));
  CHECK(contains(r.port.texts[4], "Now 4 going"));
  const auto e = store.find_event({"console", "general"}, 1);
  REQUIRE(e.has_value());
  CHECK(store.rsvps_of(e->id).size() == 3);
  CHECK_FALSE(store.pending_jobs({"console", "general"}).empty());
  CHECK(r.wakes == 1);
}

TEST_CASE("dispatcher: a batch whose SQLite commit the disk refuses claims no success") {
  // The WAL may not grow (RLIMIT_FSIZE at its size): the batch's few pages reach the file only
  // at COMMIT, so that is where the failure comes. A temporary file; :memory: has no disk.
  const test::temp_db db;
  const int result = in_child([&] {
    sqlite_event_store store(db.path());
    int commits = 0;
    rig r(store, [&] { return commits; });
    r.router.on_message(say("alice", "!tweetup Cafe 3pm", 1));
    r.router.flush();
    if (r.port.texts.size() != 1) return 1;

    const rlimit old_limit = cap_file_size(std::filesystem::file_size(db.path() + "-wal"));
    r.router.on_message(say("bob", "!join 1", 2));
    r.router.on_message(say("cat", "!join 1", 3));
    r.router.on_message(say("alice", "!join 1", 4));  // already going: rejected
    r.router.flush();
    ::setrlimit(RLIMIT_FSIZE, &old_limit);

    if (r.port.texts.size() != 4) return 2;
    if (!contains(r.port.texts[1], "couldn't save that")) return 3;
    if (!contains(r.port.texts[2], "couldn't save that")) return 4;
    if (!contains(r.port.texts[3], "already going")) return 5;
    const auto e = store.find_event({"console", "general"}, 1);
    if (!e || store.rsvps_of(e->id).size() != 1) return 6;
    // With room again the next batch commits.
    r.router.on_message(say("bob", "!join 1", 5));
    r.router.flush();
    if (!contains(r.port.texts.back(), "Now 2 going")) return 7;
    return 0;
  });
  CHECK_MESSAGE(result == 0, "child ended with " << result);
}

TEST_CASE("dispatcher: replies wait for the sync that follows their commit") {
  synced_rig s;
  s.router->on_message(say("alice", "!tweetup Cafe 3pm", 1));
  s.router->on_message(say("bob", "!join 1", 2));
  s.run();
  CHECK(s.store.transactions_committed() == 1);
  CHECK(s.barrier.waiting.size() == 1);
  CHECK(s.port.texts.empty());  // committed, not yet durable
  CHECK(s.wakes == 0);          // the scheduler too waits: its plan is not durable yet

  s.barrier.finish();
  REQUIRE(s.port.texts.size() == 2);
  CHECK(s.port.reply_to == std::vector<std::string>{"m1", "m2"});
  CHECK(contains(s.port.texts[1], "Now 2 going"));
  CHECK(s.wakes == 1);
}

TEST_CASE("dispatcher: batches that one sync covers reply in commit order") {
  synced_rig s;
  s.router->on_message(say("alice", "!tweetup Cafe 3pm", 1));
  s.run();
  s.router->on_message(say("bob", "!join 1", 2));
  s.run();
  CHECK(s.store.transactions_committed() == 2);
  REQUIRE(s.barrier.waiting.size() == 2);
  CHECK(s.port.texts.empty());

  s.barrier.finish();  // the one sync started after both commits
  CHECK(s.port.reply_to == std::vector<std::string>{"m1", "m2"});
  CHECK(s.router->stats().batches == 2);
}

TEST_CASE("dispatcher: messages count as unanswered until just before their replies go") {
  synced_rig s;
  // Each report, with how many replies had been posted when it came.
  std::vector<std::pair<std::size_t, std::size_t>> reports;
  s.router->on_unanswered([&](std::size_t n) { reports.emplace_back(n, s.port.texts.size()); });
  s.router->on_message(say("alice", "!tweetup Cafe 3pm", 1));
  s.router->on_message(say("bob", "hello, just chatting", 2));  // no reply, still counted
  s.run();
  s.router->on_message(say("cat", "!join 1", 3));
  s.run();
  // Both batches are committed and wait for their sync: nothing answered yet.
  CHECK(s.router->unanswered() == 3);
  CHECK(s.port.texts.empty());

  s.barrier.finish();
  CHECK(s.router->unanswered() == 0);
  CHECK(reports == std::vector<std::pair<std::size_t, std::size_t>>{
                       {1, 0}, {2, 0}, {3, 0}, {2, 0}, {1, 1}, {0, 1}});
  CHECK(s.port.texts.size() == 2);
}

TEST_CASE("dispatcher: a failed sync turns every success of its batch into an apology") {
  synced_rig s;
  s.router->on_message(say("alice", "!tweetup Cafe 3pm", 1));
  s.router->on_message(say("bob", "!join 7", 2));    // no such tweetup: rejected, stays so
  s.router->on_message(say("cat", "!tweetups", 3));  // would list a Cafe that may be lost
  s.run();
  s.barrier.finish(boost::system::error_code(EIO, boost::system::system_category()));

  REQUIRE(s.port.texts.size() == 3);
  CHECK(contains(s.port.texts[0], "can't be sure that was saved"));
  CHECK_FALSE(contains(s.port.texts[0], "Nothing was changed"));  // it is in the database
  CHECK_FALSE(contains(s.port.texts[0], "You're going"));
  CHECK(contains(s.port.texts[1], "#7"));
  CHECK_FALSE(contains(s.port.texts[2], "Cafe"));
  CHECK(s.wakes == 0);
}

TEST_CASE("dispatcher: help rests on nothing stored, so a failed sync still answers it") {
  synced_rig s;
  s.router->on_message(say("alice", "!tweetup Cafe 3pm", 1));
  s.router->on_message(say("bob", "!tweetup help", 2));
  s.run();
  s.barrier.finish(boost::system::error_code(EIO, boost::system::system_category()));

  REQUIRE(s.port.texts.size() == 2);
  CHECK(contains(s.port.texts[0], "can't be sure that was saved"));
  CHECK(contains(s.port.texts[1], "Commands:"));
  CHECK_FALSE(contains(s.port.texts[1], "can't be sure"));
}

TEST_CASE("dispatcher: an inline message syncs at once, answering earlier batches first") {
  synced_rig s;
  s.router->on_message(say("alice", "!tweetup Cafe 3pm", 1));
  s.run();
  REQUIRE(s.barrier.waiting.size() == 1);
  inbound_message tap = say("bob", "!join 1", 2);
  tap.replies_inline = true;
  s.router->on_message(tap);
  CHECK(s.barrier.inline_syncs == 1);
  CHECK(s.port.reply_to == std::vector<std::string>{"m1", "m2"});
  CHECK(s.barrier.waiting.empty());
}

TEST_CASE("dispatcher: a sync finishing after the dispatcher is gone does nothing") {
  synced_rig s;
  s.router->on_message(say("alice", "!tweetup Cafe 3pm", 1));
  s.run();
  REQUIRE(s.barrier.waiting.size() == 1);
  s.router.reset();
  s.barrier.finish();
  CHECK(s.port.texts.empty());
}
