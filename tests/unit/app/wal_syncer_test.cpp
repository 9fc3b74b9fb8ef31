// The real wal_syncer on temporary files: completions come back on the io thread once the
// worker's fdatasync finished, requests made while a sync runs share the next one, and a
// failure is sticky. No sleeps: io_context::run() returns when the owed completions ran (a sync
// in flight keeps it running).
#include "app/wal_syncer.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include <boost/asio/io_context.hpp>

#include "storage/sqlite_event_store.hpp"

using namespace tweetup;
namespace asio = boost::asio;

namespace {

// A fresh directory under the temp dir, removed at the end of the test.
struct temp_dir {
  std::filesystem::path path;
  explicit temp_dir(const std::string& name)
      : path(std::filesystem::temp_directory_path() /
             ("tweetup-" + name + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

// Records each completion: its order, its result and whether it ran on the io thread.
struct recorder {
  std::vector<std::string> order;
  std::vector<boost::system::error_code> results;
  bool all_on_this_thread = true;
  std::thread::id io_thread = std::this_thread::get_id();

  durability_barrier::completion make(std::string name) {
    return [this, name](boost::system::error_code ec) {
      order.push_back(name);
      results.push_back(ec);
      all_on_this_thread = all_on_this_thread && std::this_thread::get_id() == io_thread;
    };
  }
};

std::string write_file(const std::filesystem::path& path) {
  std::ofstream(path) << "frames not yet on disk";
  return path.string();
}

}  // namespace

TEST_CASE("wal_syncer: without a WAL path, completions run at once") {
  asio::io_context io;
  wal_syncer syncer(io.get_executor(), "");
  recorder r;
  syncer.after_commit(r.make("a"));
  CHECK(r.order == std::vector<std::string>{"a"});
  CHECK_FALSE(r.results[0]);
  CHECK_FALSE(syncer.sync_now());
  CHECK(syncer.syncs() == 0);
}

TEST_CASE("wal_syncer: a WAL that does not exist yet holds no commit, so nothing waits") {
  temp_dir dir("wal-missing");
  asio::io_context io;
  wal_syncer syncer(io.get_executor(), (dir.path / "bot.db-wal").string());
  recorder r;
  syncer.after_commit(r.make("a"));
  CHECK(r.order == std::vector<std::string>{"a"});
  CHECK_FALSE(r.results[0]);
  CHECK(syncer.syncs() == 0);

  // Once SQLite has created it, the next request opens it and syncs.
  write_file(dir.path / "bot.db-wal");
  syncer.after_commit(r.make("b"));
  CHECK(r.order.size() == 1);
  io.run();
  CHECK(r.order == std::vector<std::string>{"a", "b"});
  CHECK(syncer.syncs() == 1);
}

TEST_CASE("wal_syncer: the sync runs off the io thread and completes on it") {
  temp_dir dir("wal-sync");
  asio::io_context io;
  wal_syncer syncer(io.get_executor(), write_file(dir.path / "bot.db-wal"));
  recorder r;
  syncer.after_commit(r.make("a"));
  CHECK(r.order.empty());  // not before the fdatasync on the worker finished
  io.run();                // returns once the completion ran: the sync kept it busy
  CHECK(r.order == std::vector<std::string>{"a"});
  CHECK_FALSE(r.results[0]);
  CHECK(r.all_on_this_thread);
  CHECK(syncer.syncs() == 1);
  CHECK_FALSE(syncer.failure());
}

TEST_CASE("wal_syncer: requests made while a sync runs share the next one, in order") {
  temp_dir dir("wal-coalesce");
  asio::io_context io;
  wal_syncer syncer(io.get_executor(), write_file(dir.path / "bot.db-wal"));
  recorder r;
  syncer.after_commit(r.make("a"));  // starts sync 1
  syncer.after_commit(r.make("b"));  // sync 1 may have begun before b's commit: waits for 2
  syncer.after_commit(r.make("c"));
  io.run();
  CHECK(r.order == std::vector<std::string>{"a", "b", "c"});
  CHECK(syncer.syncs() == 2);
  CHECK(r.all_on_this_thread);
}

TEST_CASE("wal_syncer: sync_now covers every waiting request before it returns") {
  temp_dir dir("wal-now");
  asio::io_context io;
  wal_syncer syncer(io.get_executor(), write_file(dir.path / "bot.db-wal"));
  recorder r;
  syncer.after_commit(r.make("a"));  // sync 1 on the worker
  syncer.after_commit(r.make("b"));
  CHECK_FALSE(syncer.sync_now());
  CHECK(r.order == std::vector<std::string>{"a", "b"});
  io.run();  // sync 1 finishes with nothing left to complete
  CHECK(r.order.size() == 2);
  CHECK(syncer.syncs() == 2);
}

TEST_CASE("wal_syncer: a failed sync fails its requests and every later one") {
  // fdatasync of a character device fails (EINVAL): the stand-in for EIO from a disk.
  asio::io_context io;
  wal_syncer syncer(io.get_executor(), "/dev/null");
  recorder r;
  syncer.after_commit(r.make("a"));
  io.run();
  REQUIRE(r.results.size() == 1);
  CHECK(r.results[0]);
  CHECK(syncer.failure() == r.results[0]);

  syncer.after_commit(r.make("b"));  // no sync can vouch for it now
  REQUIRE(r.results.size() == 2);
  CHECK(r.results[1] == syncer.failure());
  CHECK(syncer.sync_now() == syncer.failure());
  CHECK(syncer.syncs() == 1);
}

TEST_CASE("wal_syncer: the store names its WAL only when commits leave the sync to the caller") {
  temp_dir dir("wal-store");
  const std::string db = (dir.path / "bot.db").string();
  {
    sqlite_event_store full(db);
    CHECK(full.wal_path().empty());
  }
  sqlite_event_store relaxed(db, sqlite_event_store::commit_sync::by_caller);
  CHECK(relaxed.wal_path() == db + "-wal");
  relaxed.check_writable();  // a commit: its frames are in the WAL, unsynced

  asio::io_context io;
  wal_syncer syncer(io.get_executor(), relaxed.wal_path());
  recorder r;
  syncer.after_commit(r.make("a"));
  io.run();
  CHECK(r.order == std::vector<std::string>{"a"});
  CHECK_FALSE(r.results[0]);
  CHECK(syncer.syncs() == 1);

  sqlite_event_store memory(":memory:", sqlite_event_store::commit_sync::by_caller);
  CHECK(memory.wal_path().empty());
}
