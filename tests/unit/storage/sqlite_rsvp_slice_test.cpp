// sqlite_event_store::rsvp_slice_of on a real database file: the tallies come from one aggregate
// statement and the rows from two indexed reads, so each is checked against the rows themselves.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "core/rsvp_slice.hpp"
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

TEST_CASE("sqlite rsvp_slice_of: equals the slice computed from every row, for random events") {
  temp_db db;
  sqlite_event_store store(db.path());
  std::mt19937 random(20261129);
  const rsvp_status statuses[] = {rsvp_status::going, rsvp_status::maybe, rsvp_status::declined,
                                  rsvp_status::waitlisted};
  for (int round = 0; round < 20; ++round) {
    const event e = stored_event(store, "Round " + std::to_string(round));
    const int people = std::uniform_int_distribution<int>(0, 60)(random);
    store.transact([&] {
      for (int i = 0; i < people; ++i) {
        const rsvp_status status = statuses[std::uniform_int_distribution<int>(0, 3)(random)];
        const int guests = std::uniform_int_distribution<int>(0, 3)(random);
        // Few distinct orders, so ties are common.
        const int order = std::uniform_int_distribution<int>(1, people)(random);
        store.save_rsvp(make_rsvp(e.id, "u" + std::to_string(i), status, guests, order));
      }
    });
    const auto all = store.rsvps_of(e.id);
    for (int i = -1; i <= people; i += 7) {
      const std::string user = "u" + std::to_string(i);  // "u-1" never answered
      INFO("round ", round, ", user ", user);
      check_same(store.rsvp_slice_of(e.id, user), make_rsvp_slice(e.id, all, user));
    }
  }
}

TEST_CASE("sqlite rsvp_slice_of: a schema 4 database gains the index the waitlist read uses") {
  temp_db db;
  std::int64_t event_id = 0;
  {
    sqlite_event_store store(db.path());
    event_id = stored_event(store, "Old").id;
    store.transact([&] {
      store.save_rsvp(make_rsvp(event_id, "w", rsvp_status::waitlisted, 0, 2));
      store.save_rsvp(make_rsvp(event_id, "g", rsvp_status::going, 0, 1));
    });
  }
  {
    // Back to what the previous release left: no index, schema 4.
    SQLite::Database raw(db.path(), SQLite::OPEN_READWRITE);
    raw.exec("DROP INDEX rsvps_by_status");
    raw.exec("PRAGMA user_version = 4");
  }
  sqlite_event_store store(db.path());
  SQLite::Database raw(db.path(), SQLite::OPEN_READONLY);
  CHECK(raw.execAndGet("SELECT count(*) FROM sqlite_master WHERE name = 'rsvps_by_status'")
            .getInt() == 1);
  const rsvp_slice slice = store.rsvp_slice_of(event_id, "g");
  CHECK(slice.tallies == rsvp_tallies{1, 0, 1, 2});
  REQUIRE(slice.waitlist.size() == 1);
  CHECK(slice.waitlist[0].user.id == "w");
}
