#include "storage/sqlite_event_store.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>

#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

#include <SQLiteCpp/Database.h>
#include <date/date.h>

#include "core/store_error.hpp"
#include "storage/schema.hpp"
#include "support/in_child.hpp"
#include "support/temp_db.hpp"

using namespace tweetup;
using tweetup::test::cap_file_size;
using tweetup::test::in_child;
using tweetup::test::temp_db;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

std::chrono::sys_seconds utc(int y, unsigned mo, unsigned d, int h, int mi, int s = 0) {
  return date::sys_days{date::year{y} / mo / d} + std::chrono::hours{h} + std::chrono::minutes{mi} +
         std::chrono::seconds{s};
}

const auto now = utc(2026, 11, 28, 16, 15);
const channel_ref general{"discord", "1234567890"};
const channel_ref other{"irc", "#tweetup"};

event make_event(const channel_ref& channel, const std::string& place,
                 std::chrono::sys_seconds starts_at) {
  event e;
  e.channel = channel;
  e.organizer = {"u-alice", "alice"};
  e.place = place;
  e.starts_at = starts_at;
  e.zone = "America/Chicago";
  e.created_at = now;
  return e;
}

void check_same(const event& a, const event& b) {
  CHECK(a.id == b.id);
  CHECK(a.number == b.number);
  CHECK(a.channel == b.channel);
  CHECK(a.organizer.id == b.organizer.id);
  CHECK(a.organizer.name == b.organizer.name);
  CHECK(a.place == b.place);
  CHECK(a.starts_at == b.starts_at);
  CHECK(a.ends_at == b.ends_at);
  CHECK(a.zone == b.zone);
  CHECK(a.capacity == b.capacity);
  CHECK(a.status == b.status);
  CHECK(a.created_at == b.created_at);
  CHECK(a.revision == b.revision);
}

void check_same(const rsvp& a, const rsvp& b) {
  CHECK(a.event_id == b.event_id);
  CHECK(a.user.id == b.user.id);
  CHECK(a.user.name == b.user.name);
  CHECK(a.status == b.status);
  CHECK(a.guests == b.guests);
  CHECK(a.queue_order == b.queue_order);
}

// The size of the database's largest file: the main file, its WAL or its shared memory.
std::uintmax_t largest_db_file(const std::string& path) {
  std::uintmax_t largest = 0;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::error_code ec;
    const auto size = fs::file_size(path + suffix, ec);
    if (!ec) largest = std::max(largest, size);
  }
  return largest;
}

std::vector<int> numbers(const std::vector<event>& events) {
  std::vector<int> out;
  for (const auto& e : events)
    out.push_back(e.number);
  return out;
}

}  // namespace

TEST_CASE("sqlite_event_store: migrations set user_version") {
  CHECK(sqlite_event_store::schema_version() == static_cast<int>(schema::migrations().size()));
  CHECK(sqlite_event_store::schema_version() >= 1);
  temp_db db;
  { sqlite_event_store store(db.path()); }
  {
    SQLite::Database raw(db.path(), SQLite::OPEN_READONLY);
    CHECK(raw.execAndGet("PRAGMA user_version").getInt() == sqlite_event_store::schema_version());
    CHECK(raw.execAndGet("PRAGMA journal_mode").getString() == "wal");
    CHECK(raw.tableExists("events"));
    CHECK(raw.tableExists("rsvps"));
    CHECK(raw.tableExists("channels"));
  }
  // Opening again does not migrate twice (it would fail on CREATE TABLE).
  CHECK_NOTHROW(sqlite_event_store{db.path()});
  CHECK_NOTHROW(sqlite_event_store{":memory:"});
}

TEST_CASE("sqlite_event_store: a database from a newer build is refused") {
  temp_db db;
  { sqlite_event_store store(db.path()); }
  {
    SQLite::Database raw(db.path(), SQLite::OPEN_READWRITE);
    raw.exec("PRAGMA user_version = " + std::to_string(sqlite_event_store::schema_version() + 1));
  }
  try {
    sqlite_event_store store(db.path());
    FAIL("opened a database with a newer schema");
  } catch (const store_error& e) {
    CHECK(std::string(e.what()).find("newer") != std::string::npos);
  }
}

TEST_CASE("sqlite_event_store: a file that is not a database is reported as corrupt") {
  temp_db db;
  {
    std::ofstream out(db.path(), std::ios::binary);
    for (int i = 0; i < 512; ++i)
      out << "not a database ";
  }
  try {
    sqlite_event_store store(db.path());
    FAIL("opened garbage");
  } catch (const store_error& e) {
    CHECK(e.failure() == store_failure::corrupt);
  }
}

TEST_CASE("sqlite_event_store: a path that cannot be opened throws store_error") {
  // Tests run as root, which ignores file permissions; a missing directory stops even root.
  const fs::path missing =
      fs::temp_directory_path() / "tweetup-no-such-dir-8d1f" / "x" / "db.sqlite";
  REQUIRE_FALSE(fs::exists(missing.parent_path()));
  try {
    sqlite_event_store store(missing.string());
    FAIL("opened a file in a missing directory");
  } catch (const store_error& e) {
    CHECK(e.failure() == store_failure::read_only);  // SQLITE_CANTOPEN
  }
}

TEST_CASE("sqlite_event_store: every field round-trips") {
  sqlite_event_store store(":memory:");

  event full = make_event(
      general, "Caf\xC3\xA9 \xF0\x9F\x98\x80 @everyone\r\nQUIT\t'; DROP TABLE events; --",
      utc(2026, 11, 28, 21, 0));
  full.organizer = {"u-\xE6\x9D\xB1", "Bj\xC3\xB6rk\nNewline"};
  full.ends_at = utc(2026, 11, 28, 23, 30);
  full.capacity = 12;
  full.status = event_status::scheduled;
  full.revision = 4;
  full.created_at = utc(2026, 11, 1, 0, 0, 7);
  const event stored_full = store.insert_event(full);
  CHECK(stored_full.id > 0);
  CHECK(stored_full.number == 1);
  CHECK(stored_full.place == full.place);

  event bare = make_event(general, "Plain", utc(2030, 1, 1, 0, 0));
  const event stored_bare = store.insert_event(bare);
  CHECK(stored_bare.number == 2);
  CHECK(stored_bare.id != stored_full.id);

  const auto found_full = store.find_event(general, 1);
  REQUIRE(found_full.has_value());
  check_same(*found_full, stored_full);
  const auto found_bare = store.find_event(general, 2);
  REQUIRE(found_bare.has_value());
  check_same(*found_bare, stored_bare);
  CHECK_FALSE(found_bare->ends_at.has_value());
  CHECK_FALSE(found_bare->capacity.has_value());
  CHECK_FALSE(store.find_event(general, 3).has_value());
  CHECK_FALSE(store.find_event(other, 1).has_value());

  const auto upcoming = store.upcoming_events(general, now);
  REQUIRE(upcoming.size() == 2);
  check_same(upcoming[0], stored_full);
  check_same(upcoming[1], stored_bare);
  // Every query that reads events reads them alike: the channel comes from the row (by id) or
  // from the query's own parameter.
  const auto by_id = store.find_event_by_id(stored_full.id);
  REQUIRE(by_id.has_value());
  check_same(*by_id, stored_full);
  CHECK_FALSE(store.find_event_by_id(999).has_value());
  const auto feed = store.calendar_events(general, now, 10);
  REQUIRE(feed.size() == 2);
  check_same(feed[0], stored_full);
  check_same(feed[1], stored_bare);
  const event elsewhere = store.insert_event(make_event(other, "IRC", utc(2026, 12, 2, 9, 0)));
  check_same(*store.find_event_by_id(elsewhere.id), elsewhere);
  check_same(*store.find_event(other, 1), elsewhere);

  // Updating changes every mutable field, and can clear the optional ones.
  event changed = stored_full;
  changed.organizer = {"u-mod", "mod"};
  changed.place = "Neuer Ort \x01";
  changed.starts_at = utc(2026, 12, 1, 18, 0);
  changed.ends_at.reset();
  changed.capacity.reset();
  changed.zone = "Europe/Berlin";
  changed.status = event_status::cancelled;
  changed.revision = 5;
  store.update_event(changed);
  const auto after = store.find_event(general, 1);
  REQUIRE(after.has_value());
  check_same(*after, changed);

  changed.status = event_status::past;
  changed.ends_at = utc(2026, 12, 1, 19, 0);
  changed.capacity = 1;
  store.update_event(changed);
  check_same(*store.find_event(general, 1), changed);

  event ghost = stored_bare;
  ghost.id = 999;
  CHECK_THROWS_AS(store.update_event(ghost), store_error);

  // RSVPs: insert, replace, and read back in queue order.
  const rsvp r1{stored_bare.id, {"u-z", "Zed \xE2\x80\x8B\r\n"}, rsvp_status::waitlisted, 3, 7};
  const rsvp r2{stored_bare.id, {"u-a", "Ann"}, rsvp_status::going, 0, 2};
  const rsvp r3{stored_bare.id, {"u-m", "May"}, rsvp_status::maybe, 0, 5};
  const rsvp r4{stored_bare.id, {"u-d", "Dee"}, rsvp_status::declined, 0, 9};
  for (const auto& r : {r1, r2, r3, r4})
    store.save_rsvp(r);
  auto list = store.rsvps_of(stored_bare.id);
  REQUIRE(list.size() == 4);
  check_same(list[0], r2);
  check_same(list[1], r3);
  check_same(list[2], r1);
  check_same(list[3], r4);
  CHECK(store.rsvps_of(stored_full.id).empty());

  rsvp r1_going = r1;
  r1_going.status = rsvp_status::going;
  r1_going.guests = 0;
  r1_going.user.name = "Zed";
  r1_going.queue_order = 10;
  store.save_rsvp(r1_going);
  list = store.rsvps_of(stored_bare.id);
  REQUIRE(list.size() == 4);
  check_same(list[3], r1_going);
}

TEST_CASE("sqlite_event_store: channel settings") {
  sqlite_event_store store(":memory:");
  const auto unknown = store.load_channel(general);
  CHECK(unknown.channel == general);
  CHECK(unknown.zone.empty());
  CHECK_FALSE(unknown.reminders.has_value());
  store.save_channel({general, "Europe/Berlin", std::nullopt});
  CHECK(store.load_channel(general).zone == "Europe/Berlin");
  CHECK(store.load_channel(other).zone.empty());
  store.save_channel({general, "America/Chicago", std::vector<std::chrono::seconds>{2h, 90s}});
  CHECK(store.load_channel(general).zone == "America/Chicago");
  CHECK(store.load_channel(general).reminders == std::vector<std::chrono::seconds>{2h, 90s});
  store.save_channel({general, "America/Chicago", std::vector<std::chrono::seconds>{}});
  REQUIRE(store.load_channel(general).reminders.has_value());
  CHECK(store.load_channel(general).reminders->empty());  // "off" is not "default"
  // Settings survive the first event in the channel, and numbering still starts at 1.
  CHECK(store.insert_event(make_event(general, "A", now + 1h)).number == 1);
  CHECK(store.load_channel(general).zone == "America/Chicago");
}

TEST_CASE("sqlite_event_store: numbers start at 1 per channel and are never reused") {
  temp_db db;
  {
    sqlite_event_store store(db.path());
    CHECK(store.insert_event(make_event(general, "A", now + 1h)).number == 1);
    CHECK(store.insert_event(make_event(general, "B", now + 2h)).number == 2);
    CHECK(store.insert_event(make_event(other, "C", now + 3h)).number == 1);
    event b = *store.find_event(general, 2);
    b.status = event_status::cancelled;
    store.update_event(b);
    CHECK(store.insert_event(make_event(general, "D", now + 4h)).number == 3);
    CHECK(store.insert_event(make_event(other, "E", now + 5h)).number == 2);
  }
  sqlite_event_store reopened(db.path());
  CHECK(reopened.insert_event(make_event(general, "F", now + 6h)).number == 4);
  CHECK(reopened.insert_event(make_event(channel_ref{"discord", "1234567890x"}, "G", now)).number ==
        1);
  CHECK(reopened.find_event(general, 2)->place == "B");
}

TEST_CASE("sqlite_event_store: reopening keeps events and RSVPs") {
  temp_db db;
  event stored;
  {
    sqlite_event_store store(db.path());
    event e = make_event(general, "Straße des 17. Juni", utc(2026, 12, 4, 18, 0));
    e.ends_at = utc(2026, 12, 4, 20, 0);
    e.capacity = 8;
    stored = store.insert_event(e);
    store.save_rsvp({stored.id, {"u-alice", "alice"}, rsvp_status::going, 2, 1});
    store.save_rsvp({stored.id, {"u-bob", "bob"}, rsvp_status::waitlisted, 0, 2});
    store.save_channel({general, "Europe/Berlin", std::nullopt});
  }
  sqlite_event_store store(db.path());
  const auto found = store.find_event(general, 1);
  REQUIRE(found.has_value());
  check_same(*found, stored);
  const auto list = store.rsvps_of(stored.id);
  REQUIRE(list.size() == 2);
  check_same(list[0], rsvp{stored.id, {"u-alice", "alice"}, rsvp_status::going, 2, 1});
  check_same(list[1], rsvp{stored.id, {"u-bob", "bob"}, rsvp_status::waitlisted, 0, 2});
  CHECK(store.load_channel(general).zone == "Europe/Berlin");
}

TEST_CASE("sqlite_event_store: transact commits, or rolls back and rethrows") {
  temp_db db;
  {
    sqlite_event_store store(db.path());
    store.transact([&] {
      const event e = store.insert_event(make_event(general, "Kept", now + 1h));
      store.save_rsvp({e.id, {"u-alice", "alice"}, rsvp_status::going, 0, 1});
    });
    CHECK(store.find_event(general, 1).has_value());

    struct boom : std::runtime_error {
      boom() : std::runtime_error("boom") {}
    };
    CHECK_THROWS_AS(store.transact([&] {
      const event e = store.insert_event(make_event(general, "Lost", now + 2h));
      store.save_rsvp({e.id, {"u-bob", "bob"}, rsvp_status::going, 0, 1});
      store.save_channel({general, "Asia/Tokyo", std::nullopt});
      event kept = *store.find_event(general, 1);
      kept.place = "Changed";
      store.update_event(kept);
      CHECK(store.find_event(general, 2).has_value());  // visible inside the transaction
      throw boom();
    }),
                    boom);
    CHECK_FALSE(store.find_event(general, 2).has_value());
    CHECK(store.find_event(general, 1)->place == "Kept");
    CHECK(store.load_channel(general).zone.empty());
    CHECK(store.upcoming_events(general, now).size() == 1);

    // A store_error from inside is passed on as is.
    try {
      store.transact([] { throw store_error(store_failure::busy, "inner"); });
      FAIL("no throw");
    } catch (const store_error& e) {
      CHECK(e.failure() == store_failure::busy);
      CHECK(std::string(e.what()) == "inner");
    }
    // An inner transact is a savepoint: its work rolls back alone, and the outer one still
    // commits what it kept...
    store.transact([&] {
      store.insert_event(make_event(general, "Outer", now + 3h));
      CHECK_THROWS_AS(store.transact([&] {
        store.insert_event(make_event(general, "Inner lost", now + 3h));
        throw boom();
      }),
                      boom);
      store.transact([&] { store.insert_event(make_event(general, "Inner kept", now + 3h)); });
    });
    CHECK(store.find_event(general, 2)->place == "Outer");
    CHECK(store.find_event(general, 3)->place == "Inner kept");
    CHECK(store.upcoming_events(general, now).size() == 3);
    // ...and when the outer work fails, the inner work that returned goes with it.
    CHECK_THROWS_AS(store.transact([&] {
      store.transact([&] { store.insert_event(make_event(general, "Gone", now + 3h)); });
      throw boom();
    }),
                    boom);
    CHECK(store.upcoming_events(general, now).size() == 3);
    // And the store still works afterwards; the number after rolled-back inserts is 4.
    store.transact(
        [&] { CHECK(store.insert_event(make_event(general, "Next", now + 4h)).number == 4); });
  }
  sqlite_event_store reopened(db.path());
  CHECK(reopened.find_event(general, 1)->place == "Kept");
  CHECK(reopened.find_event(general, 3)->place == "Inner kept");
  CHECK(reopened.find_event(general, 4)->place == "Next");
  CHECK(reopened.rsvps_of(reopened.find_event(general, 1)->id).size() == 1);
}

TEST_CASE("sqlite_event_store: upcoming hides cancelled and ended events, soonest first") {
  sqlite_event_store store(":memory:");
  auto add = [&](const std::string& place, std::chrono::sys_seconds start,
                 std::optional<std::chrono::sys_seconds> end = std::nullopt,
                 event_status status = event_status::scheduled, const channel_ref& ch = general) {
    event e = make_event(ch, place, start);
    e.ends_at = end;
    e.status = status;
    return store.insert_event(e).number;
  };
  add("later", now + 3h);                                                // 1
  add("soon", now + 1h);                                                 // 2
  add("ongoing, default length", now - 1h);                              // 3: ends now + 1h
  add("ended, default length", now - 2h);                                // 4: ends exactly now
  add("ended, explicit end", now - 30min, now - 1s);                     // 5
  add("ongoing, explicit end", now - 5h, now + 1s);                      // 6
  add("cancelled", now + 30min, std::nullopt, event_status::cancelled);  // 7
  add("past status", now + 40min, std::nullopt, event_status::past);     // 8
  add("other channel", now + 10min, std::nullopt, event_status::scheduled, other);
  add("same start as soon", now + 1h);  // 9

  CHECK(numbers(store.upcoming_events(general, now)) == std::vector<int>{6, 3, 2, 9, 1});
  CHECK(numbers(store.upcoming_events(general, now + 2h)) == std::vector<int>{2, 9, 1});
  CHECK(numbers(store.upcoming_events(other, now)) == std::vector<int>{1});
  CHECK(store.upcoming_events(channel_ref{"console", "empty"}, now).empty());
}

// Exit codes of the child scenarios below: 0 when the port's contract held.
enum scenario_result : int {
  as_promised = 0,
  wrong_failure = 1,
  no_error = 2,
  something_kept = 3,
  not_recovered = 4,
};

TEST_CASE("sqlite_event_store: a failed statement becomes store_error") {
  // Guards against a regression that once aborted the process: resetting a statement after a
  // failed step rethrows that step's error, fatal inside a destructor. Run in a child so an
  // abort fails this test instead of killing the suite.
  const int result = in_child([] {
    sqlite_event_store store(":memory:");
    try {
      store.save_rsvp(rsvp{4242, {"u-x", "x"}, rsvp_status::going, 0, 1});  // foreign key
    } catch (const store_error& e) {
      if (e.failure() != store_failure::other) return int{wrong_failure};
      store.insert_event(make_event(general, "After", now + 1h));
      return store.find_event(general, 1) ? int{as_promised} : int{not_recovered};
    }
    return int{no_error};
  });
  CHECK_MESSAGE(result == as_promised, "child ended with " << result << " (134 = SIGABRT)");
}

TEST_CASE("sqlite_event_store: a write the disk refuses fails, keeps nothing, and recovers") {
  // RLIMIT_FSIZE makes the kernel refuse to grow any file past the limit (root included), which
  // SQLite sees as a short write (SQLITE_FULL) or EFBIG (an I/O error). PRAGMA max_page_count
  // would be simpler but is per connection, and the store's connection is private. Run in a
  // child: the limit stays there.
  temp_db db;
  const std::string path = db.path();
  const int result = in_child([&] {
    sqlite_event_store store(path);
    store.insert_event(make_event(general, "Before", now + 1h));

    const rlimit old_limit = cap_file_size(largest_db_file(path) + 4096);

    std::optional<store_error> failure;
    try {
      store.transact([&] {
        for (int i = 0; i < 20; ++i) {
          store.insert_event(make_event(general, std::string(64 * 1024, 'x'), now + 2h));
        }
      });
    } catch (const store_error& e) {
      failure = e;
    }
    ::setrlimit(RLIMIT_FSIZE, &old_limit);

    if (!failure) return int{no_error};
    if (failure->failure() != store_failure::disk_full &&
        failure->failure() != store_failure::io_error) {
      return int{wrong_failure};
    }
    if (store.upcoming_events(general, now).size() != 1) return int{something_kept};
    // With room again, the same store works and the number is not burnt.
    if (store.insert_event(make_event(general, "After", now + 3h)).number != 2) {
      return int{not_recovered};
    }
    return int{as_promised};
  });
  CHECK_MESSAGE(result == as_promised, "child ended with " << result << " (134 = SIGABRT)");
}

TEST_CASE("sqlite_event_store: jobs are replaced, claimed in due order and survive a reopen") {
  temp_db db;
  std::int64_t event_id = 0;
  {
    sqlite_event_store store(db.path());
    const event e = store.insert_event(make_event(general, "A", now + 2h));
    event_id = e.id;
    CHECK(store.find_event_by_id(e.id)->place == "A");
    CHECK_FALSE(store.find_event_by_id(e.id + 100).has_value());
    CHECK_FALSE(store.next_job_due().has_value());
    store.replace_pending_jobs(e.id,
                               {job{0, 0, job_kind::reminder, 1h, now + 1h, job_state::pending, {}},
                                job{0, 0, job_kind::starting, 0s, now + 2h, job_state::pending, {}},
                                job{0, 0, job_kind::past, 0s, now + 4h, job_state::pending, {}}});
    CHECK(store.next_job_due() == now + 1h);
    REQUIRE(store.pending_jobs(general).size() == 3);
    CHECK(store.pending_jobs(other).empty());

    const auto due = store.due_jobs(now + 2h, 10);
    REQUIRE(due.size() == 2);
    CHECK(due[0].kind == job_kind::reminder);
    CHECK(due[0].offset == 1h);
    CHECK(due[0].event_id == e.id);
    CHECK(due[1].kind == job_kind::starting);
    store.set_job_state(due[0].id, job_state::sent, now + 1h);
    store.set_job_state(due[1].id, job_state::sending, now + 2h);  // "crashes" before sent
    CHECK(store.due_jobs(now + 2h, 1).size() == 1);                // the limit holds
  }
  sqlite_event_store reopened(db.path());
  const auto due = reopened.due_jobs(now + 2h, 10);
  REQUIRE(due.size() == 1);  // the sending one comes back; the sent one does not
  CHECK(due[0].kind == job_kind::starting);
  CHECK(due[0].state == job_state::sending);

  // Re-planning replaces only pending jobs; history stays.
  reopened.replace_pending_jobs(event_id, {});
  CHECK(reopened.pending_jobs(general).empty());
  // The sending job is still open (due_jobs above), but only pending ones are still to come.
  CHECK_FALSE(reopened.next_job_due().has_value());
  CHECK(reopened.count_pending_jobs() == 1);
}

namespace {

// A batch in which a write the disk refuses (RLIMIT_FSIZE, as above) ends the whole
// transaction: more than the page cache holds, so SQLite spills to the WAL mid-statement. The
// failing writes run in a savepoint of their own, or in the batch's transaction itself as the
// reads of list, info and status do. Either way the batch's next savepoint must refuse rather
// than open (and on RELEASE commit) a transaction of its own, outside the batch that later
// reports failure. Runs in a child; returns its scenario_result.
int batch_after_a_failure_that_ends_it(const std::string& path, bool failing_in_savepoint) {
  return in_child([&] {
    sqlite_event_store store(path);
    store.insert_event(make_event(general, "Before", now + 1h));
    const rlimit old_limit = cap_file_size(largest_db_file(path) + 4096);
    const auto big_writes = [&] {
      for (int i = 0; i < 60; ++i)
        store.insert_event(make_event(general, std::string(64 * 1024, 'x'), now + 2h));
    };

    bool failed = false;
    bool later_refused = false;
    bool outer_failed = false;
    try {
      store.transact([&] {
        try {
          if (failing_in_savepoint) {
            store.transact(big_writes);
          } else {
            big_writes();
          }
        } catch (const store_error&) {
          failed = true;
        }
        ::setrlimit(RLIMIT_FSIZE, &old_limit);
        try {
          store.transact([&] { store.insert_event(make_event(general, "Later", now + 3h)); });
        } catch (const store_error&) {
          later_refused = true;
        }
      });
    } catch (const store_error&) {
      outer_failed = true;
    }
    ::setrlimit(RLIMIT_FSIZE, &old_limit);
    if (!failed) return int{no_error};
    const auto kept = store.upcoming_events(general, now).size();
    // Either the transaction survived the failure (then "Later" is committed with it) or it
    // was lost (then nothing after "Before" may be there, and everything after said so).
    if (later_refused != outer_failed) return int{wrong_failure};
    if (kept != (later_refused ? 1u : 2u)) return int{something_kept};
    if (!later_refused) return int{not_recovered};  // the path this test means to cover
    // The next transaction is a normal one again.
    if (store.insert_event(make_event(general, "After", now + 4h)).number != 2) {
      return int{not_recovered};
    }
    return int{as_promised};
  });
}

}  // namespace

TEST_CASE("sqlite_event_store: after a failure that ends the transaction, nested calls refuse") {
  temp_db db;
  const int result = batch_after_a_failure_that_ends_it(db.path(), true);
  CHECK_MESSAGE(result == as_promised, "child ended with " << result << " (134 = SIGABRT)");
}

TEST_CASE("sqlite_event_store: a failure outside any savepoint that ends the batch is noticed") {
  temp_db db;
  const int result = batch_after_a_failure_that_ends_it(db.path(), false);
  CHECK_MESSAGE(result == as_promised, "child ended with " << result << " (134 = SIGABRT)");
}

TEST_CASE("sqlite_event_store: a channel's calendar key is random, stable and its own") {
  sqlite_event_store store(":memory:");
  const std::string key = store.calendar_key(general);
  CHECK(key.size() == 32);
  CHECK(key.find_first_not_of("0123456789abcdef") == std::string::npos);
  // Nothing of the channel's ids is in it.
  CHECK(key.find("1234567890") == std::string::npos);
  CHECK(store.calendar_key(general) == key);
  const std::string other_key = store.calendar_key(other);
  CHECK(other_key != key);
  CHECK(store.channel_of_calendar_key(key) == general);
  CHECK(store.channel_of_calendar_key(other_key) == other);
  CHECK_FALSE(store.channel_of_calendar_key("0123456789abcdef0123456789abcdef").has_value());
  CHECK_FALSE(store.channel_of_calendar_key("").has_value());
  CHECK_FALSE(store.channel_of_calendar_key(key.substr(0, 31)).has_value());
  // The same channel on a fresh database gets another key: it is drawn, not derived.
  sqlite_event_store fresh(":memory:");
  CHECK(fresh.calendar_key(general) != key);
}

TEST_CASE("sqlite_event_store: a calendar key survives a reopen and a rolled-back one is gone") {
  temp_db db;
  std::string key;
  {
    sqlite_event_store store(db.path());
    key = store.calendar_key(general);
    CHECK_THROWS_AS(store.transact([&] {
      store.calendar_key(other);
      throw std::runtime_error("abandoned");
    }),
                    std::runtime_error);
  }
  sqlite_event_store store(db.path());
  CHECK(store.channel_of_calendar_key(key) == general);
  SQLite::Database raw(db.path(), SQLite::OPEN_READONLY);
  CHECK(raw.execAndGet("SELECT count(*) FROM calendar_feeds").getInt() == 1);
}

TEST_CASE("sqlite_event_store: calendar events are of any status, not ended long ago, in order") {
  sqlite_event_store store(":memory:");
  auto later = make_event(general, "Later", now + 48h);
  auto soon = make_event(general, "Soon", now + 1h);
  auto cancelled = make_event(general, "Called off", now + 3h);
  cancelled.status = event_status::cancelled;
  auto last_week = make_event(general, "Last week", now - 24h * 7);
  last_week.status = event_status::past;
  auto long_ago = make_event(general, "Long ago", now - 24h * 60);
  auto with_end = make_event(general, "Ends late", now - 24h * 60);
  with_end.ends_at = now - 24h * 10;  // a long event: its end, not its start, counts
  auto elsewhere = make_event(other, "Elsewhere", now + 1h);
  for (auto* e : {&later, &soon, &cancelled, &last_week, &long_ago, &with_end, &elsewhere}) {
    *e = store.insert_event(*e);
  }
  const auto ended_after = now - 24h * 30;
  const auto events = store.calendar_events(general, ended_after, 100);
  std::vector<std::string> places;
  for (const auto& e : events)
    places.push_back(e.place);
  CHECK(places ==
        std::vector<std::string>{"Ends late", "Last week", "Soon", "Called off", "Later"});
  check_same(events[3], cancelled);
  CHECK(store.calendar_events(general, ended_after, 2).size() == 2);
  CHECK(store.calendar_events(channel_ref{"irc", "#empty"}, ended_after, 100).empty());
}

TEST_CASE("sqlite_event_store: a schema 2 database migrates to calendar feeds and keeps its data") {
  temp_db db;
  {
    // What the previous release wrote: migrations 1 and 2, with an event in it.
    SQLite::Database raw(db.path(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    const auto migrations = schema::migrations();
    REQUIRE(migrations.size() >= 3);
    raw.exec(std::string(migrations[0]));
    raw.exec(std::string(migrations[1]));
    raw.exec("PRAGMA user_version = 2");
    raw.exec(
        "INSERT INTO channels (platform, channel) VALUES ('discord', '1234567890');"
        "INSERT INTO events (platform, channel, number, organizer_id, organizer_name, place, "
        "starts_at, zone, status, created_at, revision) VALUES ('discord', '1234567890', 1, "
        "'u-alice', 'alice', 'Old Cafe', 1795968000, 'UTC', 'scheduled', 1795900000, 2)");
    CHECK_FALSE(raw.tableExists("calendar_feeds"));
  }
  sqlite_event_store store(db.path());
  const auto kept = store.find_event(general, 1);
  REQUIRE(kept.has_value());
  CHECK(kept->place == "Old Cafe");
  CHECK(kept->revision == 2);
  const std::string key = store.calendar_key(general);
  CHECK(store.channel_of_calendar_key(key) == general);
  SQLite::Database raw(db.path(), SQLite::OPEN_READONLY);
  CHECK(raw.execAndGet("PRAGMA user_version").getInt() == sqlite_event_store::schema_version());
}

TEST_CASE("sqlite_event_store: check_writable commits a write to the file each time") {
  temp_db db;
  {
    sqlite_event_store store(db.path());
    CHECK_NOTHROW(store.check_writable());
    CHECK_NOTHROW(store.check_writable());
  }
  SQLite::Database raw(db.path(), SQLite::OPEN_READONLY);
  CHECK(raw.execAndGet("SELECT checks FROM health WHERE id = 1").getInt() == 2);
}

TEST_CASE("sqlite_event_store: check_writable fails while the disk refuses writes, then recovers") {
  // RLIMIT_FSIZE 0 makes every write to a regular file fail (root included), as a dead or full
  // disk would. In a child, where the limit stays.
  temp_db db;
  const std::string path = db.path();
  const int result = in_child([&] {
    sqlite_event_store store(path);
    store.check_writable();
    const rlimit old_limit = cap_file_size(0);
    std::optional<store_error> failure;
    try {
      store.check_writable();
    } catch (const store_error& e) {
      failure = e;
    }
    ::setrlimit(RLIMIT_FSIZE, &old_limit);
    if (!failure) return int{no_error};
    if (failure->failure() != store_failure::disk_full &&
        failure->failure() != store_failure::io_error) {
      return int{wrong_failure};
    }
    store.check_writable();
    SQLite::Database raw(path, SQLite::OPEN_READONLY);
    if (raw.execAndGet("SELECT checks FROM health").getInt() != 2) return int{something_kept};
    return int{as_promised};
  });
  CHECK_MESSAGE(result == as_promised, "child ended with " << result);
}

TEST_CASE("sqlite_event_store: check_writable fails on a database file it may only read") {
  // The file is made read-only (0444) after the store created it; SQLite then opens it read-only
  // and the store starts, but no write can commit. Root ignores file modes, so the child drops
  // to an unprivileged user first when it is root.
  const fs::path dir = fs::temp_directory_path() / ("tweetup-ro-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms::all);  // the unprivileged child creates the -shm file here
  const std::string path = (dir / "t.db").string();
  { sqlite_event_store(path).check_writable(); }
  fs::permissions(path, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  const int result = in_child([&] {
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) return 90;
    std::optional<sqlite_event_store> store;
    try {
      store.emplace(path);
    } catch (const store_error&) {
      return 91;  // the store did not even start
    }
    std::optional<store_error> failure;
    try {
      store->check_writable();
    } catch (const store_error& e) {
      failure = e;
    }
    if (!failure) return int{no_error};
    if (failure->failure() != store_failure::read_only) return int{wrong_failure};
    return int{as_promised};
  });
  fs::remove_all(dir);
  CHECK_MESSAGE(result == as_promised, "child ended with " << result << " (91: no start)");
}

TEST_CASE("sqlite_event_store: the WAL takes 4000 frames before a checkpoint copies them") {
  temp_db db;
  sqlite_event_store store(db.path());
  store.insert_event(make_event(general, "First", now + 1h));
  const std::uintmax_t frame = 4096 + 24;
  const std::uintmax_t db_size = fs::file_size(db.path());
  const auto wal_frames = [&] { return (fs::file_size(db.path() + "-wal") - 32) / frame; };
  // Each event's 60 KB place takes about 16 pages: a commit of about 16 frames.
  std::size_t events = 1;
  const auto insert_big = [&] {
    store.insert_event(make_event(general, std::string(60 * 1024, 'x'), now + 2h));
    ++events;
  };
  while (wal_frames() < 2000)
    insert_big();
  CHECK(fs::file_size(db.path()) == db_size);  // at SQLite's default, 1000, it had copied them
  while (fs::file_size(db.path()) == db_size && events < 1000)
    insert_big();
  const auto frames = wal_frames();
  CHECK(frames >= 4000);
  CHECK(frames < 4062);  // within the wal-index's first block
  CHECK(store.upcoming_events(general, now).size() == events);
}
