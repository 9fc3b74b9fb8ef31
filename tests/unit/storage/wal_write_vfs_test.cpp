// wal_write_vfs on real files: a commit's frames reach the WAL in a few writes, and every commit
// is whole in the files when it returns. The check for the second: after each commit the
// database and its WAL are copied (no -shm), and a plain SQLite connection opens the copy, which
// rebuilds its index from the WAL's bytes alone, as after a crash. A frame still in the
// buffer would be missing there.
#include "storage/wal_write_vfs.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>

#include "storage/sqlite_memory.hpp"
#include "support/in_child.hpp"
#include "support/small_disk.hpp"
#include "support/temp_db.hpp"

using tweetup::test::cap_file_size;
using tweetup::test::in_child;
using tweetup::test::small_disk;
using tweetup::test::temp_db;
namespace wal_write_vfs = tweetup::wal_write_vfs;

namespace {

// One connection through the VFS (or the default one when `vfs` is null).
class connection {
 public:
  connection(const std::string& path, const char* vfs) {
    REQUIRE(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs) ==
            SQLITE_OK);
  }
  ~connection() { sqlite3_close(db_); }
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  int exec(const std::string& sql) {
    return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  }
  void must(const std::string& sql) {
    REQUIRE_MESSAGE(exec(sql) == SQLITE_OK, sql << ": " << sqlite3_errmsg(db_));
  }
  std::int64_t number(const std::string& sql) {
    sqlite3_stmt* statement = nullptr;
    REQUIRE(sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(statement) == SQLITE_ROW);
    const std::int64_t value = sqlite3_column_int64(statement, 0);
    sqlite3_finalize(statement);
    return value;
  }
  std::string text(const std::string& sql) {
    sqlite3_stmt* statement = nullptr;
    REQUIRE(sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(statement) == SQLITE_ROW);
    std::string value(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)));
    sqlite3_finalize(statement);
    return value;
  }
  bool in_transaction() { return sqlite3_get_autocommit(db_) == 0; }
  sqlite3_file* file(int op) {
    sqlite3_file* f = nullptr;
    REQUIRE(sqlite3_file_control(db_, "main", op, &f) == SQLITE_OK);
    return f;
  }

 private:
  sqlite3* db_ = nullptr;
};

const char* our_vfs() {
  tweetup::sqlite_memory::configure();
  const char* name = wal_write_vfs::name();
  REQUIRE(name != nullptr);
  return name;
}

void set_up(connection& db) {
  REQUIRE(db.text("PRAGMA journal_mode = WAL") == "wal");
  db.must("PRAGMA synchronous = NORMAL");
  db.must("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, value INTEGER, pad BLOB)");
}

// What a crash right now would leave: the database and WAL files as they are, without -shm.
struct snapshot {
  std::int64_t rows;
  std::int64_t total;
  std::string integrity;
};

snapshot after_crash(const std::string& path) {
  temp_db copy;
  std::filesystem::copy_file(path, copy.path());
  if (std::filesystem::exists(path + "-wal"))
    std::filesystem::copy_file(path + "-wal", copy.path() + "-wal");
  connection reader(copy.path(), nullptr);
  return {reader.number("SELECT count(*) FROM rows"),
          reader.number("SELECT coalesce(sum(value), 0) FROM rows"),
          reader.text("PRAGMA integrity_check")};
}

std::string insert_rows(int count, int value, int pad_bytes) {
  return "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
         std::to_string(count) + ") INSERT INTO rows (value, pad) SELECT " + std::to_string(value) +
         ", randomblob(" + std::to_string(pad_bytes) + ") FROM n";
}

}  // namespace

TEST_CASE("wal_write_vfs: a commit of many pages reaches the WAL in a few writes") {
  temp_db db;
  connection c(db.path(), our_vfs());
  set_up(c);
  c.must("INSERT INTO rows (value) VALUES (0)");  // the WAL exists and has its header

  const auto before = wal_write_vfs::counts();
  c.must("BEGIN");
  c.must(insert_rows(200, 1, 1000));  // about 50 pages
  c.must("COMMIT");
  const auto after = wal_write_vfs::counts();
  const auto asked = after.asked - before.asked;
  const auto written = after.written - before.written;
  CHECK(asked >= 100);  // two per frame
  CHECK(written >= 1);
  CHECK(written <= 10);  // 32 KiB at a time: about 8 for 200 KiB of frames
  CHECK(after_crash(db.path()).rows == 201);
}

TEST_CASE("wal_write_vfs: only the WAL goes through the buffer") {
  temp_db db;
  connection c(db.path(), our_vfs());
  set_up(c);
  c.must("INSERT INTO rows (value) VALUES (1)");
  temp_db plain_db;
  connection plain(plain_db.path(), nullptr);
  set_up(plain);
  plain.must("INSERT INTO rows (value) VALUES (1)");

  // The database file is the default VFS's own object; the WAL is wrapped.
  CHECK(c.file(SQLITE_FCNTL_FILE_POINTER)->pMethods ==
        plain.file(SQLITE_FCNTL_FILE_POINTER)->pMethods);
  CHECK(c.file(SQLITE_FCNTL_JOURNAL_POINTER)->pMethods !=
        plain.file(SQLITE_FCNTL_JOURNAL_POINTER)->pMethods);
}

TEST_CASE("wal_write_vfs: every commit is whole in the files the moment it returns") {
  temp_db db;
  connection c(db.path(), our_vfs());
  set_up(c);
  std::mt19937 random(7);
  std::int64_t rows = 0;
  std::int64_t total = 0;
  for (int step = 0; step < 80; ++step) {
    const int kind = static_cast<int>(random() % 6);
    const int value = static_cast<int>(random() % 1000);
    if (kind == 0) {  // one small row: a commit of a page or two
      c.must(insert_rows(1, value, 10));
      rows += 1;
      total += value;
    } else if (kind == 1) {  // many pages, more than one buffer's worth
      c.must(insert_rows(150, value, 1000));
      rows += 150;
      total += 150LL * value;
    } else if (kind == 2) {
      // A cache too small for the transaction: SQLite spills frames mid-way, then writes the
      // same pages again in place and rewrites the checksums from there at the commit, after
      // the commit frame itself (wal.c walRewriteChecksums).
      const std::int64_t last = c.number("SELECT coalesce(max(id), 0) FROM rows");
      c.must("PRAGMA cache_size = 5");
      c.must("BEGIN");
      c.must(insert_rows(120, value, 900));
      c.must("UPDATE rows SET value = value + 1 WHERE id > " + std::to_string(last));
      c.must("COMMIT");
      rows += 120;
      total += 120LL * (value + 1);
    } else if (kind == 3) {  // spilled frames rolled back, then overwritten by the next commit
      c.must("PRAGMA cache_size = 5");
      c.must("BEGIN");
      c.must(insert_rows(100, value, 900));
      c.must("ROLLBACK");
      c.must("PRAGMA cache_size = -2000");
      c.must(insert_rows(3, value, 10));
      rows += 3;
      total += 3LL * value;
    } else if (kind == 4) {  // the log starts again from its beginning
      c.must(random() % 2 ? "PRAGMA wal_checkpoint(RESTART)" : "PRAGMA wal_checkpoint(TRUNCATE)");
      c.must(insert_rows(2, value, 10));
      rows += 2;
      total += 2LL * value;
    } else {
      const std::string which = " FROM rows WHERE id % 7 = " + std::to_string(value % 7);
      rows -= c.number("SELECT count(*)" + which);
      total -= c.number("SELECT coalesce(sum(value), 0)" + which);
      c.must("DELETE" + which);
    }
    // Nothing else runs on the connection before the copy: a read of the WAL would flush it.
    const snapshot seen = after_crash(db.path());
    CHECK_MESSAGE(seen.rows == rows, "step " << step << " kind " << kind);
    CHECK_MESSAGE(seen.total == total, "step " << step << " kind " << kind);
    CHECK_MESSAGE(seen.integrity == "ok", "step " << step << " kind " << kind);
  }
}

TEST_CASE("wal_write_vfs: a write the disk refuses fails the commit, and nothing of it stays") {
  temp_db db;
  const std::string path = db.path();
  enum : int { as_promised = 0, committed = 1, not_recovered = 2, something_kept = 3 };
  const int result = in_child([&] {
    connection c(path, our_vfs());
    set_up(c);
    c.must(insert_rows(5, 1, 10));
    const rlimit old_limit = cap_file_size(std::filesystem::file_size(path + "-wal") + 8 * 1024);
    const int rc = c.exec("BEGIN; " + insert_rows(100, 2, 1000) + "; COMMIT");
    ::setrlimit(RLIMIT_FSIZE, &old_limit);
    if (rc == SQLITE_OK) return int{committed};
    c.exec("ROLLBACK");  // when the failed COMMIT left the transaction open
    const snapshot seen = after_crash(path);
    if (seen.rows != 5 || seen.integrity != "ok") return int{something_kept};
    // With room again, the same connection commits.
    if (c.exec(insert_rows(100, 3, 1000)) != SQLITE_OK) return int{not_recovered};
    return after_crash(path).rows == 105 ? int{as_promised} : int{not_recovered};
  });
  CHECK_MESSAGE(result == 0, "child ended with " << result);
}

// The frames a transaction spilled wait in the buffer; then the disk refuses them (`fail`), and
// a read of the WAL has to write them out first. What a lost spill must end in: an I/O error, on
// which SQLite rolls the whole transaction back (on SQLITE_FULL it may roll back only the
// statement and go on without the lost frames), nothing of it in the files, and with room again
// (`restore`) a usable connection. Run in a child: `fail` may cap the process's file size.
enum : int { as_promised = 0, never_buffered, read_worked, went_on, something_kept, stuck };

template <typename Fail, typename Restore>
int read_after_lost_frames(const std::string& path, Fail fail, Restore restore) {
  return in_child([&] {
    connection c(path, our_vfs());
    set_up(c);
    c.must(insert_rows(5, 1, 10));
    // A cache of five pages: SQLite spills frames mid-transaction, which wait in the buffer
    // until a read of the WAL (or the next write elsewhere) sends them out.
    c.must("PRAGMA cache_size = 5");
    c.must("BEGIN");
    c.must(insert_rows(100, 2, 900));
    const auto buffered = [&] {
      return wal_write_vfs::buffered_bytes(c.file(SQLITE_FCNTL_JOURNAL_POINTER));
    };
    for (int i = 0; i < 200 && buffered() == 0; ++i)
      c.must(insert_rows(1, 2, 900));
    if (buffered() == 0) return int{never_buffered};
    fail();
    const int rc = c.exec("SELECT sum(length(pad)) FROM rows");
    const bool still_open = c.in_transaction();
    restore();
    if ((rc & 0xff) != SQLITE_IOERR) return int{read_worked};
    if (still_open) return int{went_on};
    const snapshot seen = after_crash(path);
    if (seen.rows != 5 || seen.integrity != "ok") return int{something_kept};
    c.must("PRAGMA cache_size = -2000");
    if (c.exec(insert_rows(10, 3, 10)) != SQLITE_OK) return int{stuck};
    return after_crash(path).rows == 15 ? int{as_promised} : int{stuck};
  });
}

TEST_CASE("wal_write_vfs: frames lost to a file-size limit before a read end the transaction") {
  temp_db db;
  const std::string path = db.path();
  rlimit old_limit{};
  // EFBIG: the default VFS itself calls that an I/O error.
  const int result = read_after_lost_frames(
      path, [&] { old_limit = cap_file_size(std::filesystem::file_size(path + "-wal")); },
      [&] { ::setrlimit(RLIMIT_FSIZE, &old_limit); });
  CHECK_MESSAGE(result == as_promised, "child ended with " << result);
}

TEST_CASE("wal_write_vfs: frames lost to a full disk before a read end the transaction") {
  // ENOSPC: the default VFS calls that SQLITE_FULL, which the read must not pass on.
  small_disk disk("2m");
  if (!disk.mounted()) {
    MESSAGE("cannot mount a tmpfs here (not root?): skipping the real full-disk case");
    return;
  }
  const std::string path = (disk.path() / "t.db").string();
  const std::string filler = (disk.path() / "filler").string();
  const int result = read_after_lost_frames(
      path,
      [&] {
        const int fd = ::open(filler.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        const std::string chunk(4096, 'x');
        while (fd >= 0 && ::write(fd, chunk.data(), chunk.size()) > 0) {
        }
        if (fd >= 0) ::close(fd);
      },
      [&] { std::filesystem::remove(filler); });
  CHECK_MESSAGE(result == as_promised, "child ended with " << result);
}
