// adapter_memory in the bot's database: what one process remembers, the next one recalls.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "storage/sqlite_event_store.hpp"
#include "support/temp_db.hpp"

using namespace tweetup;
using tweetup::test::temp_db;

TEST_CASE("sqlite_event_store as adapter_memory: kept across reopening, replaced, forgotten") {
  temp_db db;
  {
    sqlite_event_store store(db.path(), sqlite_event_store::commit_sync::by_caller);
    adapter_memory& memory = store;
    CHECK_FALSE(memory.recall("discord.gateway"));
    memory.remember("discord.gateway", R"({"seq":1})");
    memory.remember("discord.gateway", R"({"seq":2})");
    memory.remember("irc.other", "Café ☕");
    CHECK(memory.recall("discord.gateway") == R"({"seq":2})");
  }
  {
    // A new process: the last value of each key, and nothing else.
    sqlite_event_store store(db.path());
    adapter_memory& memory = store;
    CHECK(memory.recall("discord.gateway") == R"({"seq":2})");
    CHECK(memory.recall("irc.other") == "Café ☕");
    CHECK_FALSE(memory.recall("discord"));
    memory.forget("discord.gateway");
    memory.forget("never.set");  // nothing to forget is not an error
    CHECK_FALSE(memory.recall("discord.gateway"));
    CHECK(memory.recall("irc.other"));
  }
  sqlite_event_store store(db.path());
  CHECK_FALSE(store.recall("discord.gateway"));
}

TEST_CASE(
    "sqlite_event_store as adapter_memory: a write inside a transaction that fails is undone") {
  temp_db db;
  sqlite_event_store store(db.path());
  store.remember("k", "before");
  CHECK_THROWS(store.transact([&] {
    store.remember("k", "during");
    CHECK(store.recall("k") == "during");
    throw std::runtime_error("the work failed");
  }));
  CHECK(store.recall("k") == "before");
}
