// find_event inside transactions may answer from the events the store read before (see
// sqlite_event_store.hpp): each test changes an event behind such an entry in one of the ways
// the store must notice, and reads it back.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include <SQLiteCpp/Database.h>

#include "core/store_error.hpp"
#include "storage/sqlite_event_store.hpp"
#include "support/temp_db.hpp"

using namespace tweetup;
using tweetup::test::temp_db;
using namespace std::chrono_literals;

namespace {

const auto now = std::chrono::sys_seconds{std::chrono::seconds{1795882500}};  // 2026-11-28 16:15Z
const channel_ref general{"discord", "1234567890"};

event stored_event(sqlite_event_store& store) {
  event e;
  e.channel = general;
  e.organizer = {"u-alice", "alice"};
  e.place = "Cafe";
  e.starts_at = now + 24h;
  e.zone = "America/Chicago";
  e.created_at = now;
  event stored;
  store.transact([&] { stored = store.insert_event(e); });
  return stored;
}

// The place find_event gives inside a transaction of its own.
std::string place_in_transaction(sqlite_event_store& store) {
  std::string place;
  store.transact([&] { place = store.find_event(general, 1).value().place; });
  return place;
}

struct rolled_back : std::runtime_error {
  rolled_back() : std::runtime_error("rolled back") {}
};

}  // namespace

TEST_CASE("event reads: a change through update_event is read back at once and later") {
  temp_db db;
  sqlite_event_store store(db.path());
  event e = stored_event(store);
  CHECK(place_in_transaction(store) == "Cafe");
  store.transact([&] {
    e.place = "Moved";
    e.starts_at += 1h;
    e.status = event_status::cancelled;
    store.update_event(e);
    const event found = store.find_event(general, 1).value();
    CHECK(found.place == "Moved");
    CHECK(found.starts_at == e.starts_at);
    CHECK(found.status == event_status::cancelled);
  });
  CHECK(place_in_transaction(store) == "Moved");
}

TEST_CASE("event reads: an update rolled back with its transaction is not read back") {
  temp_db db;
  sqlite_event_store store(db.path());
  event e = stored_event(store);
  CHECK(place_in_transaction(store) == "Cafe");
  CHECK_THROWS_AS(store.transact([&] {
    e.place = "Never";
    store.update_event(e);
    CHECK(store.find_event(general, 1).value().place == "Never");
    throw rolled_back();
  }),
                  rolled_back);
  CHECK(place_in_transaction(store) == "Cafe");
}

TEST_CASE("event reads: an update rolled back with its savepoint is not read back") {
  temp_db db;
  sqlite_event_store store(db.path());
  event e = stored_event(store);
  store.transact([&] {
    CHECK(store.find_event(general, 1).value().place == "Cafe");
    CHECK_THROWS_AS(store.transact([&] {
      e.place = "Never";
      store.update_event(e);
      CHECK(store.find_event(general, 1).value().place == "Never");
      throw rolled_back();
    }),
                    rolled_back);
    // Still inside the outer transaction, whose other work goes on.
    CHECK(store.find_event(general, 1).value().place == "Cafe");
  });
  CHECK(place_in_transaction(store) == "Cafe");
}

TEST_CASE("event reads: a savepoint that rolls back after a kept update keeps it") {
  temp_db db;
  sqlite_event_store store(db.path());
  event e = stored_event(store);
  store.transact([&] {
    store.transact([&] {
      e.place = "Kept";
      store.update_event(e);
    });
    CHECK(store.find_event(general, 1).value().place == "Kept");
    CHECK_THROWS_AS(store.transact([&] { throw rolled_back(); }), rolled_back);
    CHECK(store.find_event(general, 1).value().place == "Kept");
  });
  CHECK(place_in_transaction(store) == "Kept");
}

TEST_CASE("event reads: a failed update leaves the row, and the read says so") {
  temp_db db;
  sqlite_event_store store(db.path());
  event e = stored_event(store);
  store.transact([&] {
    CHECK(store.find_event(general, 1).value().capacity == std::nullopt);
    event bad = e;
    bad.capacity = 0;  // the CHECK refuses it
    CHECK_THROWS_AS(store.update_event(bad), store_error);
    CHECK(store.find_event(general, 1).value().capacity == std::nullopt);
  });
}

TEST_CASE("event reads: a commit by another connection between transactions is read") {
  temp_db db;
  sqlite_event_store store(db.path());
  stored_event(store);
  CHECK(place_in_transaction(store) == "Cafe");
  {
    SQLite::Database other(db.path(), SQLite::OPEN_READWRITE);
    other.exec("UPDATE events SET place = 'Elsewhere'");
  }
  CHECK(place_in_transaction(store) == "Elsewhere");
  // A second store on the same file, as another process would open it.
  {
    sqlite_event_store second(db.path());
    event e = second.find_event(general, 1).value();
    e.place = "Third";
    second.transact([&] { second.update_event(e); });
  }
  CHECK(place_in_transaction(store) == "Third");
}

TEST_CASE("event reads: outside a transaction every read goes to the file") {
  temp_db db;
  sqlite_event_store store(db.path());
  stored_event(store);
  CHECK(place_in_transaction(store) == "Cafe");
  SQLite::Database other(db.path(), SQLite::OPEN_READWRITE);
  other.exec("UPDATE events SET place = 'Elsewhere'");
  CHECK(store.find_event(general, 1).value().place == "Elsewhere");
}
