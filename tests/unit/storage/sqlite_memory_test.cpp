#include "storage/sqlite_memory.hpp"

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <chrono>
#include <string>

#include "storage/sqlite_event_store.hpp"
#include "support/temp_db.hpp"

using namespace tweetup;

namespace {

// Another case run in the same process may have started SQLite without the settings; with no
// connection open, a shutdown lets configure() apply them. The shutdown also empties the spares.
void configured() {
  sqlite3_shutdown();
  REQUIRE(sqlite_memory::configure());
}

constexpr int journal_chunk = 65544;  // what the statement journal asks for
constexpr int trigger_frame = 1441;

}  // namespace

TEST_CASE("sqlite_memory: a freed large block is the next one of its size handed out") {
  configured();
  CHECK(sqlite_memory::configure());  // again: no change, still in force
  const auto before = sqlite_memory::reused_blocks();
  void* chunk = sqlite3_malloc(journal_chunk);
  void* frame = sqlite3_malloc(trigger_frame);
  REQUIRE(chunk != nullptr);
  REQUIRE(frame != nullptr);
  sqlite3_free(chunk);
  sqlite3_free(frame);
  // Both are kept at once, and each goes to a request of its own size.
  CHECK(sqlite3_malloc(trigger_frame) == frame);
  CHECK(sqlite3_malloc(journal_chunk) == chunk);
  CHECK(sqlite_memory::reused_blocks() == before + 2);

  // With both in use, the next of a size is a new block.
  void* second_chunk = sqlite3_malloc(journal_chunk);
  CHECK(second_chunk != chunk);
  CHECK(sqlite_memory::reused_blocks() == before + 2);
  sqlite3_free(second_chunk);
  sqlite3_free(chunk);
  sqlite3_free(frame);
}

TEST_CASE("sqlite_memory: blocks of sizes no longer asked for give their slots up") {
  configured();
  const auto before = sqlite_memory::reused_blocks();
  void* odd[5];
  for (auto*& block : odd)
    block = sqlite3_malloc(3000);
  for (auto* block : odd)
    sqlite3_free(block);  // the first four fill the slots; the fifth takes one in turn
  void* chunk = sqlite3_malloc(journal_chunk);
  sqlite3_free(chunk);  // every slot is full: it replaces one
  CHECK(sqlite3_malloc(journal_chunk) == chunk);
  CHECK(sqlite_memory::reused_blocks() == before + 1);
  sqlite3_free(chunk);
}

TEST_CASE("sqlite_memory: small blocks and blocks glibc maps itself are never kept") {
  configured();
  const auto before = sqlite_memory::reused_blocks();
  for (const int bytes : {100, 1000, 1 << 20}) {
    CAPTURE(bytes);
    sqlite3_free(sqlite3_malloc(bytes));
    void* again = sqlite3_malloc(bytes);
    REQUIRE(again != nullptr);
    CHECK(sqlite3_msize(again) >= static_cast<sqlite3_uint64>(bytes));
    sqlite3_free(again);
    CHECK(sqlite_memory::reused_blocks() == before);
  }
}

TEST_CASE("sqlite_memory: each savepoint's statement journal reuses the last one's chunk") {
  configured();
  test::temp_db file;
  sqlite_event_store store(file.path());
  event e;
  e.channel = {"discord", "1"};
  e.organizer = {"u-alice", "alice"};
  e.place = "Starbucks";
  e.starts_at = std::chrono::sys_seconds{std::chrono::hours{500000}};
  e.zone = "UTC";
  e.created_at = std::chrono::sys_seconds{std::chrono::hours{499990}};
  const auto stored = store.insert_event(e);

  const auto before = sqlite_memory::reused_blocks();
  constexpr int commands = 20;
  // One transaction, a savepoint per command, as the dispatcher runs a batch.
  store.transact([&] {
    for (int i = 0; i < commands; ++i) {
      store.transact([&] {
        const std::string id = "u-" + std::to_string(i);
        store.save_rsvp({stored.id, {id, id}, rsvp_status::going, 1, i + 1});
      });
    }
  });
  CHECK(sqlite_memory::reused_blocks() - before >= commands - 1);
  CHECK(store.rsvps_of(stored.id).size() == commands);
}
