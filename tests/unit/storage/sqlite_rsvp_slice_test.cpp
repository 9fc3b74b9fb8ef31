// sqlite_event_store::rsvp_slice_of on a real database file: the tallies come from a row that
// triggers keep and the rows from two indexed reads, so each is checked against the rows
// themselves (rsvps_of) after every kind of change.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "core/rsvp_slice.hpp"
#include "storage/schema.hpp"
#include "storage/sqlite_event_store.hpp"
#include "support/temp_db.hpp"

using namespace tweetup;
using tweetup::test::temp_db;

namespace {

const auto now = std::chrono::sys_seconds{std::chrono::seconds{1795882500}};  // 2026-11-28 16:15Z

event stored_event(sqlite_event_store& store, const std::string& place) {
  event e;
  e.channel = {"discord", "1234567890"};
  e.organizer = {"u-alice", "alice"};
  e.place = place;
  e.starts_at = now + std::chrono::hours{24};
  e.zone = "America/Chicago";
  e.created_at = now;
  return store.insert_event(e);
}

rsvp make_rsvp(std::int64_t event_id, const std::string& user, rsvp_status status, int guests,
               std::int64_t queue_order) {
  return {event_id, {user, user + " name"}, status, guests, queue_order};
}

std::string text(const rsvp& r) {
  return r.user.id + "/" + r.user.name + "/" + std::to_string(static_cast<int>(r.status)) + "/+" +
         std::to_string(r.guests) + "/q" + std::to_string(r.queue_order) + "/e" +
         std::to_string(r.event_id);
}

std::vector<std::string> texts(const std::vector<rsvp>& list) {
  std::vector<std::string> out;
  for (const auto& r : list)
    out.push_back(text(r));
  return out;
}

void check_same(const rsvp_slice& got, const rsvp_slice& want) {
  CHECK(got.event_id == want.event_id);
  CHECK(got.user_id == want.user_id);
  CHECK(got.tallies.going_seats == want.tallies.going_seats);
  CHECK(got.tallies.maybe == want.tallies.maybe);
  CHECK(got.tallies.waiting == want.tallies.waiting);
  CHECK(got.tallies.last_queue_order == want.tallies.last_queue_order);
  REQUIRE(got.own.has_value() == want.own.has_value());
  if (got.own) CHECK(text(*got.own) == text(*want.own));
  CHECK(texts(got.waitlist) == texts(want.waitlist));
}

// A file as an older release left it: the first `version` migrations, with foreign keys on as
// the store runs them.
SQLite::Database database_at_schema(const temp_db& db, std::size_t version) {
  SQLite::Database raw(db.path(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  raw.exec("PRAGMA foreign_keys = ON");
  const auto migrations = schema::migrations();
  REQUIRE(migrations.size() > version);
  for (std::size_t i = 0; i < version; ++i)
    raw.exec(std::string(migrations[i]));
  raw.exec("PRAGMA user_version = " + std::to_string(version));
  return raw;
}

}  // namespace

TEST_CASE("sqlite rsvp_slice_of: an event with no RSVPs") {
  temp_db db;
  sqlite_event_store store(db.path());
  const event e = stored_event(store, "Empty");
  const rsvp_slice slice = store.rsvp_slice_of(e.id, "u-bob");
  CHECK(slice.event_id == e.id);
  CHECK(slice.user_id == "u-bob");
  CHECK(slice.tallies == rsvp_tallies{});
  CHECK_FALSE(slice.own.has_value());
  CHECK(slice.waitlist.empty());
}

TEST_CASE("sqlite rsvp_slice_of: tallies, own row and the waitlist in queue order") {
  temp_db db;
  sqlite_event_store store(db.path());
  const event e = stored_event(store, "Cafe");
  const event elsewhere = stored_event(store, "Elsewhere");
  store.transact([&] {
    // Saved out of queue order; "w-b" and "w-a" share an order, which user id breaks.
    store.save_rsvp(make_rsvp(e.id, "w-late", rsvp_status::waitlisted, 1, 12));
    store.save_rsvp(make_rsvp(e.id, "g-ann", rsvp_status::going, 2, 1));
    store.save_rsvp(make_rsvp(e.id, "w-b", rsvp_status::waitlisted, 0, 9));
    store.save_rsvp(make_rsvp(e.id, "g-bob", rsvp_status::going, 0, 3));
    store.save_rsvp(make_rsvp(e.id, "m-cy", rsvp_status::maybe, 0, 4));
    store.save_rsvp(make_rsvp(e.id, "w-a", rsvp_status::waitlisted, 3, 9));
    store.save_rsvp(make_rsvp(e.id, "d-dee", rsvp_status::declined, 0, 15));
    store.save_rsvp(make_rsvp(e.id, "m-eve", rsvp_status::maybe, 0, 7));
    // Another event's RSVPs count for nothing here.
    store.save_rsvp(make_rsvp(elsewhere.id, "g-ann", rsvp_status::waitlisted, 5, 40));
    store.save_rsvp(make_rsvp(elsewhere.id, "x", rsvp_status::going, 7, 41));
  });

  const rsvp_slice going = store.rsvp_slice_of(e.id, "g-ann");
  CHECK(going.tallies.going_seats == 4);  // (1 + 2) + 1
  CHECK(going.tallies.maybe == 2);
  CHECK(going.tallies.waiting == 3);
  CHECK(going.tallies.last_queue_order == 15);  // a declined row's order counts too
  REQUIRE(going.own.has_value());
  CHECK(text(*going.own) == text(make_rsvp(e.id, "g-ann", rsvp_status::going, 2, 1)));
  CHECK(texts(going.waitlist) ==
        texts({make_rsvp(e.id, "w-a", rsvp_status::waitlisted, 3, 9),
               make_rsvp(e.id, "w-b", rsvp_status::waitlisted, 0, 9),
               make_rsvp(e.id, "w-late", rsvp_status::waitlisted, 1, 12)}));

  const rsvp_slice waiting = store.rsvp_slice_of(e.id, "w-b");
  REQUIRE(waiting.own.has_value());
  CHECK(waiting.own->status == rsvp_status::waitlisted);
  CHECK(waiting.tallies == going.tallies);

  const rsvp_slice declined = store.rsvp_slice_of(e.id, "d-dee");
  REQUIRE(declined.own.has_value());
  CHECK(declined.own->status == rsvp_status::declined);

  const rsvp_slice stranger = store.rsvp_slice_of(e.id, "nobody");
  CHECK_FALSE(stranger.own.has_value());
  CHECK(stranger.tallies == going.tallies);
  CHECK(texts(stranger.waitlist) == texts(going.waitlist));

  const rsvp_slice no_user = store.rsvp_slice_of(e.id, "");
  CHECK_FALSE(no_user.own.has_value());

  const rsvp_slice other = store.rsvp_slice_of(elsewhere.id, "g-ann");
  CHECK(other.tallies == rsvp_tallies{7 + 1, 0, 1, 41});
  REQUIRE(other.own.has_value());
  CHECK(other.own->status == rsvp_status::waitlisted);
  CHECK(other.own->guests == 5);
}

TEST_CASE("sqlite rsvp_slice_of: equals the slice computed from every row, as rows change") {
  temp_db db;
  sqlite_event_store store(db.path());
  std::mt19937 random(20261129);
  const auto pick = [&](int low, int high) {
    return std::uniform_int_distribution<int>(low, high)(random);
  };
  const rsvp_status statuses[] = {rsvp_status::going, rsvp_status::maybe, rsvp_status::declined,
                                  rsvp_status::waitlisted};
  std::vector<event> events;
  for (int i = 0; i < 4; ++i)
    events.push_back(stored_event(store, "Place " + std::to_string(i)));
  // Each round inserts new RSVPs and rewrites old ones (status, guests, order), as commands
  // do: the tallies the triggers keep must follow every kind of change.
  for (int round = 0; round < 40; ++round) {
    const event& e = events[static_cast<std::size_t>(pick(0, 3))];
    store.transact([&] {
      for (int i = pick(1, 15); i > 0; --i) {
        const rsvp_status status = statuses[pick(0, 3)];
        // Few distinct orders, so ties are common; mostly rising, as the service assigns them.
        const int order = pick(0, 9) == 0 ? pick(-2, 5) : pick(round, round + 3);
        store.save_rsvp(
            make_rsvp(e.id, "u" + std::to_string(pick(0, 30)), status, pick(0, 3), order));
      }
    });
    for (const event& checked : events) {
      const auto all = store.rsvps_of(checked.id);
      for (int i = -1; i <= 31; i += 4) {
        const std::string user = "u" + std::to_string(i);  // "u-1" never answers
        INFO("round ", round, ", event ", checked.id, ", user ", user);
        check_same(store.rsvp_slice_of(checked.id, user), make_rsvp_slice(checked.id, all, user));
      }
    }
  }
}

TEST_CASE("sqlite rsvp_slice_of: a rolled-back RSVP leaves the tallies as they were") {
  temp_db db;
  sqlite_event_store store(db.path());
  const event e = stored_event(store, "Cafe");
  store.transact([&] { store.save_rsvp(make_rsvp(e.id, "ann", rsvp_status::going, 1, 1)); });
  struct refused {};
  CHECK_THROWS_AS(store.transact([&] {
    store.save_rsvp(make_rsvp(e.id, "ann", rsvp_status::declined, 0, 1));
    store.save_rsvp(make_rsvp(e.id, "bob", rsvp_status::waitlisted, 0, 2));
    CHECK(store.rsvp_slice_of(e.id, "ann").tallies == rsvp_tallies{0, 0, 1, 2});
    throw refused{};
  }),
                  refused);
  CHECK(store.rsvp_slice_of(e.id, "ann").tallies == rsvp_tallies{2, 0, 0, 1});
}

TEST_CASE("sqlite rsvp_slice_of: a schema 4 database with RSVPs is tallied when it migrates") {
  temp_db db;
  {
    // What the previous release wrote: migrations 1 to 4, with two events and their RSVPs.
    SQLite::Database raw = database_at_schema(db, 4);
    raw.exec("INSERT INTO channels (platform, channel) VALUES ('discord', '1')");
    for (int id : {1, 2}) {
      raw.exec(
          "INSERT INTO events (id, platform, channel, number, organizer_id, organizer_name, "
          "place, starts_at, zone, status, created_at) VALUES (" +
          std::to_string(id) + ", 'discord', '1', " + std::to_string(id) +
          ", 'o', 'o', 'Cafe', 1795882500, 'UTC', 'scheduled', 1795882500)");
    }
    raw.exec(
        "INSERT INTO rsvps (event_id, user_id, user_name, status, guests, queue_order) "
        "VALUES (1, 'ann', 'Ann', 'going', 2, 1), (1, 'bob', 'Bob', 'maybe', 0, 2), "
        "(1, 'cy', 'Cy', 'waitlisted', 1, 5), (1, 'dee', 'Dee', 'declined', 0, 7), "
        "(1, 'eve', 'Eve', 'waitlisted', 0, 4), (2, 'ann', 'Ann', 'going', 0, 3)");
  }
  sqlite_event_store store(db.path());
  for (const std::int64_t id : {1, 2, 3}) {  // 3: no such event, no RSVPs
    for (const char* user : {"ann", "cy", "nobody"}) {
      INFO("event ", id, ", user ", user);
      check_same(store.rsvp_slice_of(id, user), make_rsvp_slice(id, store.rsvps_of(id), user));
    }
  }
  CHECK(store.rsvp_slice_of(1, "ann").tallies == rsvp_tallies{3, 1, 2, 7});
  CHECK(texts(store.rsvp_slice_of(1, "ann").waitlist) ==
        texts({rsvp{1, {"eve", "Eve"}, rsvp_status::waitlisted, 0, 4},
               rsvp{1, {"cy", "Cy"}, rsvp_status::waitlisted, 1, 5}}));
}

TEST_CASE(
    "sqlite store: a schema 5 database keeps its RSVPs, tallies and jobs through migration 6") {
  temp_db db;
  {
    SQLite::Database raw = database_at_schema(db, 5);
    raw.exec("INSERT INTO channels (platform, channel) VALUES ('discord', '1')");
    raw.exec(
        "INSERT INTO events (id, platform, channel, number, organizer_id, organizer_name, place, "
        "starts_at, zone, status, created_at) VALUES (1, 'discord', '1', 1, 'o', 'o', 'Cafe', "
        "1795882500, 'UTC', 'scheduled', 1795882500)");
    // Written through migration 5's triggers, which keep the tallies.
    raw.exec(
        "INSERT INTO rsvps (event_id, user_id, user_name, status, guests, queue_order) "
        "VALUES (1, 'ann', 'Ann', 'going', 2, 1), (1, 'bob', 'Bob', 'maybe', 0, 2), "
        "(1, 'cy', 'Cy', 'waitlisted', 1, 5), (1, 'eve', 'Eve', 'waitlisted', 0, 4)");
    raw.exec(
        "INSERT INTO jobs (id, event_id, kind, offset_s, due_at, state, user_id, user_name, "
        "sent_at) VALUES (7, 1, 'reminder', 3600, 1795878900, 'sent', NULL, NULL, 1795878901), "
        "(8, 1, 'promotion', 0, 1795870000, 'pending', 'cy', 'Cy', NULL)");
  }
  sqlite_event_store store(db.path());
  CHECK(store.rsvp_slice_of(1, "ann").tallies == rsvp_tallies{3, 1, 2, 5});
  check_same(store.rsvp_slice_of(1, "cy"), make_rsvp_slice(1, store.rsvps_of(1), "cy"));

  // The triggers were made again on the rebuilt table: a change still moves the tallies.
  store.transact([&] { store.save_rsvp(make_rsvp(1, "eve", rsvp_status::going, 0, 6)); });
  CHECK(store.rsvp_slice_of(1, "ann").tallies == rsvp_tallies{4, 1, 1, 6});

  SQLite::Database raw(db.path(), SQLite::OPEN_READWRITE);
  CHECK(raw.execAndGet("SELECT group_concat(id || ':' || kind || ':' || state || ':' || "
                       "coalesce(user_id, '-') || ':' || coalesce(sent_at, '-'), ' ') "
                       "FROM (SELECT * FROM jobs ORDER BY id)")
            .getString() == "7:reminder:sent:-:1795878901 8:promotion:pending:cy:-");
  CHECK_FALSE(SQLite::Statement(raw, "PRAGMA foreign_key_check").executeStep());
  CHECK(raw.execAndGet("PRAGMA integrity_check").getString() == "ok");
}

TEST_CASE(
    "sqlite store: the rebuilt CHECKs refuse what the IN lists refused, without temp b-trees") {
  temp_db db;
  { sqlite_event_store store(db.path()); }
  SQLite::Database raw(db.path(), SQLite::OPEN_READWRITE);
  raw.exec("PRAGMA foreign_keys = ON");
  raw.exec("INSERT INTO channels (platform, channel) VALUES ('discord', '1')");
  raw.exec(
      "INSERT INTO events (id, platform, channel, number, organizer_id, organizer_name, place, "
      "starts_at, zone, status, created_at) VALUES (1, 'discord', '1', 1, 'o', 'o', 'Cafe', "
      "1795882500, 'UTC', 'scheduled', 1795882500)");
  for (const char* status : {"going", "maybe", "declined", "waitlisted"}) {
    CHECK_NOTHROW(raw.exec(std::string("INSERT INTO rsvps VALUES (1, '") + status + "', 'n', '" +
                           status + "', 0, 1)"));
  }
  CHECK_THROWS(raw.exec("INSERT INTO rsvps VALUES (1, 'x', 'n', 'Going', 0, 1)"));
  CHECK_THROWS(raw.exec("INSERT INTO rsvps VALUES (1, 'y', 'n', NULL, 0, 1)"));
  CHECK_THROWS(raw.exec("UPDATE rsvps SET status = 'gone' WHERE user_id = 'going'"));
  for (const char* kind : {"reminder", "starting", "past", "reannounce", "promotion"}) {
    CHECK_NOTHROW(raw.exec(std::string("INSERT INTO jobs (event_id, kind, due_at, state) "
                                       "VALUES (1, '") +
                           kind + "', 1, 'pending')"));
  }
  for (const char* state : {"sending", "sent", "dropped"}) {
    CHECK_NOTHROW(raw.exec(std::string("UPDATE jobs SET state = '") + state + "'"));
  }
  CHECK_THROWS(
      raw.exec("INSERT INTO jobs (event_id, kind, due_at, state) "
               "VALUES (1, 'nag', 1, 'pending')"));
  CHECK_THROWS(raw.exec("UPDATE jobs SET state = 'lost'"));

  // The point of migration 6: saving an RSVP or a job builds no temporary b-tree (an
  // OpenEphemeral), which is what an IN list in a CHECK compiled to.
  for (const char* statement :
       {"INSERT INTO rsvps (event_id, user_id, user_name, status, guests, queue_order) "
        "VALUES (1, 'z', 'Z', 'going', 0, 9) ON CONFLICT (event_id, user_id) DO UPDATE SET "
        "status = excluded.status, guests = excluded.guests, queue_order = excluded.queue_order",
        "INSERT INTO jobs (event_id, kind, due_at, state) VALUES (1, 'reminder', 1, 'pending')",
        "UPDATE jobs SET state = 'sent' WHERE id = 1"}) {
    CAPTURE(statement);
    SQLite::Statement explain(raw, std::string("EXPLAIN ") + statement);
    int ephemeral = 0;
    while (explain.executeStep())
      ephemeral += explain.getColumn(1).getString() == "OpenEphemeral";
    CHECK(ephemeral == 0);
  }
}

TEST_CASE("sqlite store: migration 7 folds IRC user ids by case, and leaves other platforms") {
  temp_db db;
  {
    SQLite::Database raw = database_at_schema(db, 6);
    raw.exec("INSERT INTO channels (platform, channel) VALUES ('irc', '#t'), ('discord', '1')");
    raw.exec(
        "INSERT INTO events (id, platform, channel, number, organizer_id, organizer_name, place, "
        "starts_at, zone, status, created_at) VALUES "
        "(1, 'irc', '#t', 1, 'Alice', 'Alice', 'Cafe', 1795882500, 'UTC', 'scheduled', 1), "
        "(2, 'discord', '1', 1, 'AbC', 'AbC', 'Cafe', 1795882500, 'UTC', 'scheduled', 1)");
    // Bob RSVPed twice, as "Bob" then as "bob": one person to the server, two rows here. So did
    // Dee, who said maybe, then going.
    raw.exec(
        "INSERT INTO rsvps (event_id, user_id, user_name, status, guests, queue_order) VALUES "
        "(1, 'Alice', 'Alice', 'going', 0, 1), (1, 'Bob', 'Bob', 'going', 1, 2), "
        "(1, 'bob', 'bob', 'maybe', 0, 3), (1, 'Cy[1]', 'Cy[1]', 'waitlisted', 0, 4), "
        "(1, 'Dee', 'Dee', 'maybe', 0, 5), (1, 'dee', 'dee', 'going', 0, 6), "
        "(2, 'AbC', 'AbC', 'going', 0, 1)");
    raw.exec(
        "INSERT INTO jobs (id, event_id, kind, due_at, state, user_id, user_name) VALUES "
        "(1, 1, 'promotion', 1, 'pending', 'Cy[1]', 'Cy[1]'), "
        "(2, 2, 'promotion', 1, 'pending', 'AbC', 'AbC')");
  }
  sqlite_event_store store(db.path());
  const auto irc_event = store.find_event_by_id(1);
  REQUIRE(irc_event.has_value());
  CHECK(irc_event->organizer.id == "alice");
  CHECK(irc_event->organizer.name == "Alice");  // names stay as typed
  std::vector<std::string> ids;
  for (const rsvp& r : store.rsvps_of(1))
    ids.push_back(r.user.id + ":" + std::string(r.user.name));
  std::sort(ids.begin(), ids.end());
  CHECK(ids == std::vector<std::string>{"alice:Alice", "bob:Bob", "cy[1]:Cy[1]", "dee:dee"});
  // The RSVP that says most stayed (going, whichever came first); the tallies followed the
  // deleted duplicates: Alice, Bob with a guest and Dee go; Cy waits.
  CHECK(store.rsvp_slice_of(1, "bob").tallies == rsvp_tallies{4, 0, 1, 6});
  CHECK(store.rsvp_slice_of(1, "dee").own->status == rsvp_status::going);
  CHECK(store.find_event_by_id(2)->organizer.id == "AbC");
  CHECK(store.rsvps_of(2).at(0).user.id == "AbC");

  SQLite::Database raw(db.path(), SQLite::OPEN_READWRITE);
  CHECK(raw.execAndGet("SELECT group_concat(user_id, ' ') FROM (SELECT * FROM jobs ORDER BY id)")
            .getString() == "cy[1] AbC");
  CHECK(raw.execAndGet("PRAGMA integrity_check").getString() == "ok");
}
