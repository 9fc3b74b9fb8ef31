#include "storage/sqlite_event_store.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <chrono>
#include <memory>
#include <string_view>

#include "core/store_error.hpp"
#include "logging/layer_log.hpp"
#include "metrics/bot_metrics.hpp"
#include "storage/schema.hpp"
#include "storage/sqlite_memory.hpp"
#include "storage/wal_write_vfs.hpp"

namespace tweetup {
namespace {

store_error translate(const SQLite::Exception& e) {
  switch (e.getErrorCode()) {
    case SQLITE_FULL:
      return {store_failure::disk_full, e.what()};
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
      return {store_failure::read_only, e.what()};
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return {store_failure::busy, e.what()};
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return {store_failure::corrupt, e.what()};
    default:
      break;
  }
  // SQLite reports ENOSPC as SQLITE_FULL; every other failed read, write or fsync is an I/O
  // error, which must not be passed off as a full disk.
  if (e.getErrorCode() == SQLITE_IOERR) return {store_failure::io_error, e.what()};
  return {store_failure::other, e.what()};
}

// Runs `work`, turning SQLite's exceptions into the port's store_error. For the constructor,
// before there is a transaction to look after; sqlite_event_store::guarded for the rest.
template <typename Work>
auto translated(Work&& work) {
  try {
    return work();
  } catch (const SQLite::Exception& e) {
    throw translate(e);
  }
}

std::string_view status_name(event_status s) {
  switch (s) {
    case event_status::scheduled:
      return "scheduled";
    case event_status::cancelled:
      return "cancelled";
    case event_status::past:
      return "past";
  }
  return "scheduled";
}

event_status event_status_from(std::string_view name) {
  if (name == "cancelled") return event_status::cancelled;
  if (name == "past") return event_status::past;
  return event_status::scheduled;
}

std::string_view status_name(rsvp_status s) {
  switch (s) {
    case rsvp_status::going:
      return "going";
    case rsvp_status::maybe:
      return "maybe";
    case rsvp_status::declined:
      return "declined";
    case rsvp_status::waitlisted:
      return "waitlisted";
  }
  return "declined";
}

rsvp_status rsvp_status_from(std::string_view name) {
  if (name == "going") return rsvp_status::going;
  if (name == "maybe") return rsvp_status::maybe;
  if (name == "waitlisted") return rsvp_status::waitlisted;
  return rsvp_status::declined;
}

job_kind job_kind_from(std::string_view name) {
  if (name == "starting") return job_kind::starting;
  if (name == "past") return job_kind::past;
  if (name == "reannounce") return job_kind::reannounce;
  if (name == "promotion") return job_kind::promotion;
  return job_kind::reminder;
}

std::string_view state_name(job_state s) {
  switch (s) {
    case job_state::pending:
      return "pending";
    case job_state::sending:
      return "sending";
    case job_state::sent:
      return "sent";
    case job_state::dropped:
      return "dropped";
  }
  return "pending";
}

job_state job_state_from(std::string_view name) {
  if (name == "sending") return job_state::sending;
  if (name == "sent") return job_state::sent;
  if (name == "dropped") return job_state::dropped;
  return job_state::pending;
}

std::int64_t seconds(std::chrono::sys_seconds t) {
  return t.time_since_epoch().count();
}
std::chrono::sys_seconds instant(std::int64_t s) {
  return std::chrono::sys_seconds{std::chrono::seconds{s}};
}

// A statement used through the C API, for the statements of every command (transactions,
// events, RSVPs), where SQLiteCpp's per-value overhead shows: finalized with the store.
using raw_statement = std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)>;

raw_statement prepare_raw(SQLite::Database& db, const char* sql) {
  sqlite3_stmt* statement = nullptr;
  const int rc =
      sqlite3_prepare_v3(db.getHandle(), sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
  if (rc != SQLITE_OK) throw SQLite::Exception(db.getHandle(), rc);
  return {statement, &sqlite3_finalize};
}

raw_statement prepare_raw(SQLite::Database& db, const std::string& sql) {
  return prepare_raw(db, sql.c_str());
}

// One use of a raw statement: bind, step, read the current row. When it ends the statement is
// reset and unbound, even after an exception, so it is ready for the next use and holds no
// pointer into text bound without a copy. Failures throw SQLiteCpp's exception, which guarded()
// turns into a store_error.
class raw_query {
 public:
  raw_query(SQLite::Database& db, const raw_statement& statement)
      : db_(db.getHandle()), s_(statement.get()) {}
  ~raw_query() {
    // After a failed step, reset reports that error again; it is already on its way up.
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  raw_query(const raw_query&) = delete;
  raw_query& operator=(const raw_query&) = delete;

  void bind(int index, std::int64_t value) { check(sqlite3_bind_int64(s_, index, value)); }
  void bind(int index, int value) { check(sqlite3_bind_int(s_, index, value)); }
  // Not copied: `text` must outlive this query (the destructor unbinds it).
  void bind(int index, std::string_view text) {
    // An empty view may hold a null pointer, which would bind NULL rather than ''.
    check(sqlite3_bind_text(s_, index, text.empty() ? "" : text.data(),
                            static_cast<int>(text.size()), SQLITE_STATIC));
  }
  void bind(int index, const std::string& text) { bind(index, std::string_view(text)); }
  template <typename T>
  void bind(int index, const std::optional<T>& value) {
    if (value) bind(index, *value);  // unbound parameters are NULL
  }

  // True for a row, false when done; anything else throws.
  bool step() {
    const int rc = sqlite3_step(s_);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) throw SQLite::Exception(db_, rc);
    return rc == SQLITE_ROW;
  }
  // Runs a statement that returns no rows.
  void run() {
    if (step()) throw SQLite::Exception("a statement meant to write returned a row", SQLITE_MISUSE);
  }
  // Rows the last write changed (sqlite3_changes).
  int changes() const { return sqlite3_changes(db_); }

  bool is_null(int column) const { return sqlite3_column_type(s_, column) == SQLITE_NULL; }
  int integer(int column) const { return sqlite3_column_int(s_, column); }
  std::int64_t int64(int column) const { return sqlite3_column_int64(s_, column); }
  // Valid until the next step or the end of this query.
  std::string_view text(int column) const {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s_, column));
    return text ? std::string_view(text, static_cast<std::size_t>(sqlite3_column_bytes(s_, column)))
                : std::string_view();
  }

 private:
  void check(int rc) const {
    if (rc != SQLITE_OK) throw SQLite::Exception(db_, rc);
  }
  sqlite3* db_;
  sqlite3_stmt* s_;
};

// The columns every event query selects, in the order read_event reads them. Not the channel:
// each query but find_event_by_id names it as a parameter, and SQLite copies every text value it
// returns into an allocation of its own.
constexpr const char* event_columns =
    "id, number, organizer_id, organizer_name, place, starts_at, ends_at, zone, capacity, "
    "status, created_at, revision";

// The current row of a query that selects event_columns, of an event in `channel`.
event read_event(const raw_query& q, channel_ref channel) {
  event e;
  e.id = q.int64(0);
  e.number = q.integer(1);
  e.channel = std::move(channel);
  e.organizer = {std::string(q.text(2)), std::string(q.text(3))};
  e.place = std::string(q.text(4));
  e.starts_at = instant(q.int64(5));
  if (!q.is_null(6)) e.ends_at = instant(q.int64(6));
  e.zone = std::string(q.text(7));
  if (!q.is_null(8)) e.capacity = q.integer(8);
  e.status = event_status_from(q.text(9));
  e.created_at = instant(q.int64(10));
  e.revision = q.integer(11);
  return e;
}

// One RAII use of a prepared statement: bindings cleared and the cursor reset when done, so the
// statement is ready for the next use even after an exception.
class use {
 public:
  explicit use(SQLite::Statement& s) : s_(s) {}
  // After a failed step, reset() reports that error again; throwing it from a destructor would
  // terminate the process, and the error is already on its way up. So: tryReset, no throw.
  ~use() {
    s_.tryReset();
    try {
      s_.clearBindings();
    } catch (const SQLite::Exception&) {
    }
  }
  use(const use&) = delete;
  use& operator=(const use&) = delete;
  SQLite::Statement* operator->() { return &s_; }
  SQLite::Statement& operator*() { return s_; }

 private:
  SQLite::Statement& s_;
};

constexpr const char* job_columns =
    "j.id, j.event_id, j.kind, j.offset_s, j.due_at, j.state, coalesce(j.user_id, ''), "
    "coalesce(j.user_name, '')";

// Channel reminder offsets are stored as "24h,1h" ("" for none, NULL for the default).
std::string offsets_to_text(const std::vector<std::chrono::seconds>& offsets) {
  std::string text;
  for (const auto offset : offsets)
    text += (text.empty() ? "" : ",") + std::to_string(offset.count()) + "s";
  return text;
}

std::vector<std::chrono::seconds> offsets_from_text(const std::string& text) {
  std::vector<std::chrono::seconds> offsets;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto comma = text.find(',', start);
    const std::string part =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!part.empty()) offsets.push_back(std::chrono::seconds{std::stoll(part)});
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return offsets;
}

job read_job(SQLite::Statement& q) {
  job j;
  j.id = q.getColumn(0).getInt64();
  j.event_id = q.getColumn(1).getInt64();
  j.kind = job_kind_from(q.getColumn(2).getString());
  j.offset = std::chrono::seconds{q.getColumn(3).getInt64()};
  j.due_at = instant(q.getColumn(4).getInt64());
  j.state = job_state_from(q.getColumn(5).getString());
  j.user = {q.getColumn(6).getString(), q.getColumn(7).getString()};
  return j;
}

// NOMUTEX: one thread owns the store (design.md §5), so SQLite's serialized mode would only add
// a mutex pair to every call.
SQLite::Database open_database(const std::string& path, bool relaxed_sync, bool& in_wal) {
  sqlite_memory::configure();
  // wal_write_vfs writes a commit's WAL frames in a few calls instead of two per page.
  const char* vfs = wal_write_vfs::name();
  SQLite::Database db(
      path.c_str(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX, 5000, vfs);
  // The pragma answers with the mode it got: ":memory:" says "memory", and some file systems
  // keep "delete". Only in WAL mode may a commit skip its fsync, as SQLite then still syncs the
  // WAL before every checkpoint, so a later fdatasync of the WAL makes the commit durable.
  in_wal = db.execAndGet("PRAGMA journal_mode = WAL").getString() == "wal";
  db.exec(relaxed_sync && in_wal ? "PRAGMA synchronous = NORMAL" : "PRAGMA synchronous = FULL");
  db.exec("PRAGMA foreign_keys = ON");
  // A command touches a handful of B-tree pages; the OS page cache holds the rest of the file.
  // SQLite's default 2 MB cache filled up on the 20,000-command benchmark and was 0.8 MB of
  // the bot's peak RSS, for no measurable CPU: 512 KiB keeps every hot page.
  db.exec("PRAGMA cache_size = -512");
  // A checkpoint copies each page the WAL holds into the database once, however often it was
  // written since the last, and syncs both files on the io thread. At SQLite's default of 1000
  // frames the bench's burst checkpointed 24 times; at 4000, 6 times, with half the page reads
  // and writes (bench/README.md, "WAL writes"). 4000 frames still fit the wal-index's first
  // 32 KiB block (4062), so the mapped -shm does not grow; the WAL file may reach 16 MB.
  db.exec("PRAGMA wal_autocheckpoint = 4000");
  const int version = db.execAndGet("PRAGMA user_version").getInt();
  const auto migrations = schema::migrations();
  if (version > static_cast<int>(migrations.size())) {
    throw SQLite::Exception("the database was written by a newer tweetup (schema " +
                                std::to_string(version) + "; this build knows " +
                                std::to_string(migrations.size()) + ")",
                            SQLITE_MISMATCH);
  }
  for (int v = version; v < static_cast<int>(migrations.size()); ++v) {
    // Each step commits with its version number, so a crash mid-way resumes where it stopped.
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(std::string(migrations[v]));
      db.exec("PRAGMA user_version = " + std::to_string(v + 1));
      db.exec("COMMIT");
    } catch (...) {
      db.exec("ROLLBACK");
      throw;
    }
    layer_log("storage")->info("database {} migrated to schema {}", path, v + 1);
  }
  return db;
}

}  // namespace

template <typename Work>
auto sqlite_event_store::guarded(Work&& work) {
  try {
    return work();
  } catch (const SQLite::Exception& e) {
    const store_error error = translate(e);
    note_failure(error);
    throw error;
  }
}

struct sqlite_event_store::statements {
  statements(const std::string& path, bool relaxed_sync)
      : db(open_database(path, relaxed_sync, in_wal)),
        begin(prepare_raw(db, "BEGIN IMMEDIATE")),
        commit(prepare_raw(db, "COMMIT")),
        rollback(prepare_raw(db, "ROLLBACK")),
        savepoint(prepare_raw(db, "SAVEPOINT nested")),
        release(prepare_raw(db, "RELEASE nested")),
        rollback_to(prepare_raw(db, "ROLLBACK TO nested")),
        load_channel(db, "SELECT zone, reminders FROM channels WHERE platform = ? AND channel = ?"),
        upsert_channel(
            db,
            "INSERT INTO channels (platform, channel, zone, reminders) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (platform, channel) DO UPDATE SET zone = excluded.zone, "
            "reminders = excluded.reminders"),
        ensure_channel(db, "INSERT OR IGNORE INTO channels (platform, channel) VALUES (?, ?)"),
        take_number(db,
                    "UPDATE channels SET next_number = next_number + 1 "
                    "WHERE platform = ? AND channel = ? RETURNING next_number - 1"),
        insert_event(db,
                     "INSERT INTO events (platform, channel, number, organizer_id, organizer_name, "
                     "place, starts_at, ends_at, zone, capacity, status, created_at, revision) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        update_event(db,
                     "UPDATE events SET organizer_id = ?, organizer_name = ?, place = ?, "
                     "starts_at = ?, ends_at = ?, zone = ?, capacity = ?, status = ?, "
                     "revision = ? WHERE id = ?"),
        find_event(prepare_raw(db, std::string("SELECT ") + event_columns +
                                       " FROM events WHERE platform = ? AND channel = ? "
                                       "AND number = ?")),
        upcoming(
            prepare_raw(db, std::string("SELECT ") + event_columns +
                                " FROM events WHERE platform = ? AND channel = ? "
                                "AND status = 'scheduled' AND coalesce(ends_at, starts_at + ?) "
                                "> ? ORDER BY starts_at, number")),
        rsvps_of(prepare_raw(db,
                             "SELECT user_id, user_name, status, guests, queue_order FROM rsvps "
                             "WHERE event_id = ? ORDER BY queue_order, user_id")),
        // Kept by triggers (schema migration 5); no row until the event's first RSVP.
        rsvp_tallies(prepare_raw(db,
                                 "SELECT going_seats, maybe, waiting, last_queue_order "
                                 "FROM rsvp_tallies WHERE event_id = ?")),
        own_rsvp(prepare_raw(db,
                             "SELECT user_name, status, guests, queue_order FROM rsvps "
                             "WHERE event_id = ? AND user_id = ?")),
        // rsvps_waitlist (a partial index; its key ends in the primary key, user_id) yields
        // these in order: no sort, and no other RSVP is read.
        waitlist(prepare_raw(db,
                             "SELECT user_id, user_name, guests, queue_order FROM rsvps "
                             "WHERE event_id = ? AND status = 'waitlisted' "
                             "ORDER BY queue_order, user_id")),
        save_rsvp(prepare_raw(
            db,
            "INSERT INTO rsvps (event_id, user_id, user_name, status, guests, queue_order) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (event_id, user_id) DO UPDATE SET "
            "user_name = excluded.user_name, status = excluded.status, "
            "guests = excluded.guests, queue_order = excluded.queue_order")),
        // The channel last, as columns 12 and 13, after event_columns.
        find_event_by_id(prepare_raw(db, std::string("SELECT ") + event_columns +
                                             ", platform, channel FROM events WHERE id = ?")),
        delete_pending_jobs(db,
                            "DELETE FROM jobs WHERE event_id = ? AND state = 'pending' "
                            "AND kind != 'promotion'"),
        insert_job(db,
                   "INSERT INTO jobs (event_id, kind, offset_s, due_at, state, user_id, user_name) "
                   "VALUES (?, ?, ?, ?, 'pending', ?, ?)"),
        due_jobs(db, std::string("SELECT ") + job_columns +
                         " FROM jobs j WHERE j.state IN ('pending', 'sending') AND j.due_at <= ? "
                         "ORDER BY j.due_at, j.id LIMIT ?"),
        set_job_state(db,
                      "UPDATE jobs SET state = ?1, sent_at = CASE WHEN ?1 = 'sent' THEN ?2 "
                      "ELSE sent_at END WHERE id = ?3"),
        posts_sent_since(db,
                         "SELECT count(*) FROM jobs j JOIN events e ON e.id = j.event_id "
                         "WHERE e.platform = ? AND e.channel = ? AND j.state = 'sent' "
                         "AND j.kind != 'past' AND j.sent_at >= ?"),
        next_job_due(db, "SELECT min(due_at) FROM jobs WHERE state = 'pending'"),
        pending_jobs(db, std::string("SELECT ") + job_columns +
                             " FROM jobs j JOIN events e ON e.id = j.event_id "
                             "WHERE e.platform = ? AND e.channel = ? AND j.state = 'pending' "
                             "ORDER BY j.due_at, j.id"),
        // randomblob() draws from SQLite's PRNG, which is seeded from the OS's entropy source.
        // Only a (platform, channel) clash is ignored: a clash of two keys would be an error.
        ensure_calendar_key(db,
                            "INSERT INTO calendar_feeds (platform, channel, key) "
                            "VALUES (?, ?, lower(hex(randomblob(16)))) "
                            "ON CONFLICT (platform, channel) DO NOTHING"),
        calendar_key(db, "SELECT key FROM calendar_feeds WHERE platform = ? AND channel = ?"),
        channel_of_calendar_key(db, "SELECT platform, channel FROM calendar_feeds WHERE key = ?"),
        calendar_events(prepare_raw(db, std::string("SELECT ") + event_columns +
                                            " FROM events WHERE platform = ? AND channel = ? "
                                            "AND coalesce(ends_at, starts_at + ?) > ? "
                                            "ORDER BY starts_at, number LIMIT ?")),
        count_pending_jobs(db, "SELECT count(*) FROM jobs WHERE state IN ('pending', 'sending')"),
        bump_health(db,
                    "INSERT INTO health (id, checks) VALUES (1, 1) "
                    "ON CONFLICT (id) DO UPDATE SET checks = checks + 1") {}

  bool in_wal = false;  // before db: open_database sets it while db is built
  SQLite::Database db;
  raw_statement begin, commit, rollback;
  raw_statement savepoint, release, rollback_to;  // one name: SQLite uses the innermost
  SQLite::Statement load_channel, upsert_channel, ensure_channel, take_number;
  SQLite::Statement insert_event, update_event;
  raw_statement find_event, upcoming;
  raw_statement rsvps_of, rsvp_tallies, own_rsvp, waitlist;
  raw_statement save_rsvp;
  raw_statement find_event_by_id;
  SQLite::Statement delete_pending_jobs, insert_job, due_jobs, set_job_state, posts_sent_since,
      next_job_due, pending_jobs;
  SQLite::Statement ensure_calendar_key, calendar_key, channel_of_calendar_key;
  raw_statement calendar_events;
  SQLite::Statement count_pending_jobs;
  SQLite::Statement bump_health;
};

sqlite_event_store::sqlite_event_store(const std::string& path, commit_sync sync)
    : s_(translated(
          [&] { return std::make_unique<statements>(path, sync == commit_sync::by_caller); })) {
  if (sync == commit_sync::by_caller && s_->in_wal) wal_path_ = path + "-wal";
}

sqlite_event_store::~sqlite_event_store() = default;

int sqlite_event_store::schema_version() {
  return static_cast<int>(schema::migrations().size());
}

void sqlite_event_store::transact(const std::function<void()>& work) {
  if (depth_ > 0) {
    transact_nested(work);
    return;
  }
  // Looked up once; the histogram lives as long as the process registry.
  static metrics::histogram& seconds = metrics::bot_metrics::get().db_transaction_seconds.get();
  const auto started = std::chrono::steady_clock::now();
  const auto observe = [&] {
    seconds.observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  };
  guarded([&] { raw_query(s_->db, s_->begin).run(); });
  depth_ = 1;
  // BEGIN IMMEDIATE holds the write lock now: nobody else commits until this transaction ends.
  if (const auto version = data_version(); !version || version != committed_data_version_) {
    events_.clear();
  }
  try {
    work();
    if (abandoned_) throw *abandoned_;
    guarded([&] { raw_query(s_->db, s_->commit).run(); });
    depth_ = 0;
    events_written_ = false;
    committed_data_version_ = data_version();
    observe();
  } catch (...) {
    depth_ = 0;
    abandoned_.reset();
    events_.clear();
    events_written_ = false;
    observe();
    // After a failed COMMIT SQLite may already have rolled back; a second ROLLBACK then fails
    // harmlessly, and the original error is the one worth reporting.
    if (!s_->db.getHandle() || sqlite3_get_autocommit(s_->db.getHandle()) == 0) {
      try {
        raw_query(s_->db, s_->rollback).run();
      } catch (const SQLite::Exception&) {
      }
    }
    throw;
  }
}

// SQLITE_FULL, SQLITE_IOERR and a few others may roll back the whole transaction on their own
// (sqlite.org/lang_transaction.html, "Response To Errors Within A Transaction"), whatever the
// statement: a read that failed outside any savepoint too (list, info and status read without
// one). The batch's later savepoints would then each open and commit a transaction of their
// own, outside the batch that reports failure; abandoned_ makes them, and the commit, refuse.
void sqlite_event_store::note_failure(const store_error& error) {
  if (depth_ == 0 || abandoned_) return;
  if (!s_->db.getHandle() || sqlite3_get_autocommit(s_->db.getHandle()) != 0) abandoned_ = error;
}

void sqlite_event_store::check_writable() {
  transact([&] { guarded([&] { use(s_->bump_health)->exec(); }); });
}

void sqlite_event_store::transact_nested(const std::function<void()>& work) {
  if (abandoned_) throw *abandoned_;
  guarded([&] { raw_query(s_->db, s_->savepoint).run(); });
  ++depth_;
  try {
    work();
  } catch (...) {
    --depth_;
    forget_events_if_written();
    undo_savepoint();
    throw;
  }
  --depth_;
  try {
    guarded([&] { raw_query(s_->db, s_->release).run(); });
  } catch (const store_error&) {
    // The command is answered as failed, so its writes must not stay in the batch.
    forget_events_if_written();
    undo_savepoint();
    throw;
  }
}

// Changes with every commit to the file, this connection's or another's. None when SQLite
// cannot tell; the entries are then dropped at every BEGIN.
std::optional<unsigned> sqlite_event_store::data_version() const {
  unsigned version = 0;
  if (sqlite3_file_control(s_->db.getHandle(), "main", SQLITE_FCNTL_DATA_VERSION, &version) !=
      SQLITE_OK) {
    return std::nullopt;
  }
  return version;
}

// A rolled-back savepoint takes its writes with it, and perhaps the whole transaction's (see
// undo_savepoint); entries read after an event write of this transaction may hold them.
// Without such a write every entry is still a committed row.
void sqlite_event_store::forget_events_if_written() {
  if (events_written_) events_.clear();
}

// Called while the inner work's exception is in flight.
void sqlite_event_store::undo_savepoint() {
  // The failure may have ended the whole transaction (see note_failure), taking the savepoint
  // with it: the rest of the batch and its commit must refuse.
  const bool outer_open = s_->db.getHandle() && sqlite3_get_autocommit(s_->db.getHandle()) == 0;
  if (outer_open) {
    try {
      // ROLLBACK TO keeps the savepoint open; RELEASE then ends it with nothing in it.
      raw_query(s_->db, s_->rollback_to).run();
      raw_query(s_->db, s_->release).run();
      return;
    } catch (const SQLite::Exception& e) {
      abandoned_ = translate(e);
      return;
    }
  }
  if (abandoned_) return;  // noted where it failed
  try {
    throw;
  } catch (const store_error& e) {
    abandoned_ = e;
  } catch (...) {
    abandoned_ = store_error(store_failure::other, "the transaction was rolled back");
  }
}

channel_settings sqlite_event_store::load_channel(const channel_ref& channel) {
  return guarded([&] {
    use q(s_->load_channel);
    q->bind(1, channel.platform);
    q->bind(2, channel.channel);
    channel_settings settings{channel, {}, std::nullopt};
    if (q->executeStep()) {
      settings.zone = q->getColumn(0).getString();
      if (!q->isColumnNull(1)) settings.reminders = offsets_from_text(q->getColumn(1).getString());
    }
    return settings;
  });
}

void sqlite_event_store::save_channel(const channel_settings& settings) {
  guarded([&] {
    use q(s_->upsert_channel);
    q->bind(1, settings.channel.platform);
    q->bind(2, settings.channel.channel);
    q->bind(3, settings.zone);
    if (settings.reminders) q->bind(4, offsets_to_text(*settings.reminders));
    q->exec();
  });
}

event sqlite_event_store::insert_event(event e) {
  events_written_ = true;
  return guarded([&] {
    {
      use q(s_->ensure_channel);
      q->bind(1, e.channel.platform);
      q->bind(2, e.channel.channel);
      q->exec();
    }
    {
      use q(s_->take_number);
      q->bind(1, e.channel.platform);
      q->bind(2, e.channel.channel);
      q->executeStep();
      e.number = q->getColumn(0).getInt();
    }
    use q(s_->insert_event);
    q->bind(1, e.channel.platform);
    q->bind(2, e.channel.channel);
    q->bind(3, e.number);
    q->bind(4, e.organizer.id);
    q->bind(5, e.organizer.name);
    q->bind(6, e.place);
    q->bind(7, seconds(e.starts_at));
    if (e.ends_at) q->bind(8, seconds(*e.ends_at));
    q->bind(9, e.zone);
    if (e.capacity) q->bind(10, *e.capacity);
    q->bind(11, std::string(status_name(e.status)));
    q->bind(12, seconds(e.created_at));
    q->bind(13, e.revision);
    q->exec();
    e.id = s_->db.getLastInsertRowid();
    return e;
  });
}

void sqlite_event_store::update_event(const event& e) {
  events_written_ = true;
  events_.forget(e.id);
  guarded([&] {
    use q(s_->update_event);
    q->bind(1, e.organizer.id);
    q->bind(2, e.organizer.name);
    q->bind(3, e.place);
    q->bind(4, seconds(e.starts_at));
    if (e.ends_at) q->bind(5, seconds(*e.ends_at));
    q->bind(6, e.zone);
    if (e.capacity) q->bind(7, *e.capacity);
    q->bind(8, std::string(status_name(e.status)));
    q->bind(9, e.revision);
    q->bind(10, e.id);
    if (q->exec() != 1)
      throw SQLite::Exception("no event with id " + std::to_string(e.id), SQLITE_NOTFOUND);
  });
}

std::optional<event> sqlite_event_store::find_event(const channel_ref& channel, int number) {
  const bool cached = may_use_cached_events();
  if (cached) {
    if (const event* e = events_.find(channel, number)) return *e;
  }
  auto found = guarded([&]() -> std::optional<event> {
    raw_query q(s_->db, s_->find_event);
    q.bind(1, channel.platform);
    q.bind(2, channel.channel);
    q.bind(3, number);
    if (!q.step()) return std::nullopt;
    return read_event(q, channel);
  });
  if (cached && found) events_.put(*found);
  return found;
}

std::vector<event> sqlite_event_store::upcoming_events(const channel_ref& channel,
                                                       std::chrono::sys_seconds now) {
  return guarded([&] {
    raw_query q(s_->db, s_->upcoming);
    q.bind(1, channel.platform);
    q.bind(2, channel.channel);
    q.bind(3, static_cast<std::int64_t>(std::chrono::seconds(default_event_length).count()));
    q.bind(4, seconds(now));
    std::vector<event> events;
    while (q.step())
      events.push_back(read_event(q, channel));
    return events;
  });
}

std::vector<rsvp> sqlite_event_store::rsvps_of(std::int64_t event_id) {
  return guarded([&] {
    // Info, reminders, the calendar feed and the mentions of a change read every RSVP of an
    // event, hundreds for a big one: so the columns come straight from sqlite3_stmt, without
    // SQLiteCpp's Column (a shared_ptr copy per value) or a std::string per status.
    raw_query q(s_->db, s_->rsvps_of);
    q.bind(1, event_id);
    std::vector<rsvp> list;
    while (q.step()) {
      rsvp& r = list.emplace_back();
      r.event_id = event_id;
      r.user = {std::string(q.text(0)), std::string(q.text(1))};
      r.status = rsvp_status_from(q.text(2));
      r.guests = q.integer(3);
      r.queue_order = q.int64(4);
    }
    return list;
  });
}

rsvp_slice sqlite_event_store::rsvp_slice_of(std::int64_t event_id, std::string_view user_id) {
  return guarded([&] {
    rsvp_slice slice;
    slice.event_id = event_id;
    slice.user_id = std::string(user_id);
    {
      raw_query q(s_->db, s_->rsvp_tallies);
      q.bind(1, event_id);
      if (q.step()) {
        slice.tallies.going_seats = q.integer(0);
        slice.tallies.maybe = q.integer(1);
        slice.tallies.waiting = q.integer(2);
        slice.tallies.last_queue_order = q.int64(3);
      }
    }
    {
      raw_query q(s_->db, s_->own_rsvp);
      q.bind(1, event_id);
      q.bind(2, user_id);
      if (q.step()) {
        rsvp& r = slice.own.emplace();
        r.event_id = event_id;
        r.user = {std::string(user_id), std::string(q.text(0))};
        r.status = rsvp_status_from(q.text(1));
        r.guests = q.integer(2);
        r.queue_order = q.int64(3);
      }
    }
    // Mostly nobody waits; the tallies say so without a third statement.
    if (slice.tallies.waiting == 0) return slice;
    raw_query q(s_->db, s_->waitlist);
    q.bind(1, event_id);
    slice.waitlist.reserve(static_cast<std::size_t>(slice.tallies.waiting));
    while (q.step()) {
      rsvp& r = slice.waitlist.emplace_back();
      r.event_id = event_id;
      r.user = {std::string(q.text(0)), std::string(q.text(1))};
      r.status = rsvp_status::waitlisted;
      r.guests = q.integer(2);
      r.queue_order = q.int64(3);
    }
    return slice;
  });
}

void sqlite_event_store::save_rsvp(const rsvp& r) {
  guarded([&] {
    raw_query q(s_->db, s_->save_rsvp);
    q.bind(1, r.event_id);
    q.bind(2, r.user.id);
    q.bind(3, r.user.name);
    q.bind(4, status_name(r.status));
    q.bind(5, r.guests);
    q.bind(6, r.queue_order);
    q.run();
  });
}

std::optional<event> sqlite_event_store::find_event_by_id(std::int64_t id) {
  return guarded([&]() -> std::optional<event> {
    raw_query q(s_->db, s_->find_event_by_id);
    q.bind(1, id);
    if (!q.step()) return std::nullopt;
    return read_event(q, {std::string(q.text(12)), std::string(q.text(13))});
  });
}

void sqlite_event_store::replace_pending_jobs(std::int64_t event_id, const std::vector<job>& jobs) {
  guarded([&] {
    {
      use q(s_->delete_pending_jobs);
      q->bind(1, event_id);
      q->exec();
    }
    for (job j : jobs) {
      j.event_id = event_id;
      insert_job(j);
    }
  });
}

void sqlite_event_store::add_job(const job& j) {
  guarded([&] { insert_job(j); });
}

void sqlite_event_store::insert_job(const job& j) {
  use q(s_->insert_job);
  q->bind(1, j.event_id);
  q->bind(2, std::string(job_kind_name(j.kind)));
  q->bind(3, static_cast<std::int64_t>(j.offset.count()));
  q->bind(4, seconds(j.due_at));
  if (j.kind == job_kind::promotion) {
    q->bind(5, j.user.id);
    q->bind(6, j.user.name);
  }
  q->exec();
}

std::vector<job> sqlite_event_store::due_jobs(std::chrono::sys_seconds now, int limit) {
  return guarded([&] {
    use q(s_->due_jobs);
    q->bind(1, seconds(now));
    q->bind(2, limit);
    std::vector<job> jobs;
    while (q->executeStep())
      jobs.push_back(read_job(*q));
    return jobs;
  });
}

void sqlite_event_store::set_job_state(std::int64_t job_id, job_state state,
                                       std::chrono::sys_seconds at) {
  guarded([&] {
    use q(s_->set_job_state);
    q->bind(1, std::string(state_name(state)));
    q->bind(2, seconds(at));
    q->bind(3, job_id);
    q->exec();
  });
}

int sqlite_event_store::posts_sent_since(const channel_ref& channel,
                                         std::chrono::sys_seconds since) {
  return guarded([&] {
    use q(s_->posts_sent_since);
    q->bind(1, channel.platform);
    q->bind(2, channel.channel);
    q->bind(3, seconds(since));
    q->executeStep();
    return q->getColumn(0).getInt();
  });
}

std::optional<std::chrono::sys_seconds> sqlite_event_store::next_job_due() {
  return guarded([&]() -> std::optional<std::chrono::sys_seconds> {
    use q(s_->next_job_due);
    if (!q->executeStep() || q->isColumnNull(0)) return std::nullopt;
    return instant(q->getColumn(0).getInt64());
  });
}

std::vector<job> sqlite_event_store::pending_jobs(const channel_ref& channel) {
  return guarded([&] {
    use q(s_->pending_jobs);
    q->bind(1, channel.platform);
    q->bind(2, channel.channel);
    std::vector<job> jobs;
    while (q->executeStep())
      jobs.push_back(read_job(*q));
    return jobs;
  });
}

std::string sqlite_event_store::calendar_key(const channel_ref& channel) {
  return guarded([&] {
    {
      use q(s_->ensure_calendar_key);
      q->bind(1, channel.platform);
      q->bind(2, channel.channel);
      q->exec();
    }
    use q(s_->calendar_key);
    q->bind(1, channel.platform);
    q->bind(2, channel.channel);
    if (!q->executeStep()) {
      throw SQLite::Exception("the calendar key just made is missing", SQLITE_NOTFOUND);
    }
    return q->getColumn(0).getString();
  });
}

std::optional<std::string> sqlite_event_store::recall(std::string_view key) {
  return guarded([&]() -> std::optional<std::string> {
    SQLite::Statement q(s_->db, "SELECT value FROM adapter_memory WHERE key = ?");
    q.bind(1, std::string(key));
    if (!q.executeStep()) return std::nullopt;
    return q.getColumn(0).getString();
  });
}

void sqlite_event_store::remember(std::string_view key, std::string_view value) {
  guarded([&] {
    SQLite::Statement q(s_->db,
                        "INSERT INTO adapter_memory (key, value) VALUES (?, ?) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    q.bind(1, std::string(key));
    q.bind(2, std::string(value));
    q.exec();
  });
}

void sqlite_event_store::forget(std::string_view key) {
  guarded([&] {
    SQLite::Statement q(s_->db, "DELETE FROM adapter_memory WHERE key = ?");
    q.bind(1, std::string(key));
    q.exec();
  });
}

std::optional<channel_ref> sqlite_event_store::channel_of_calendar_key(std::string_view key) {
  return guarded([&]() -> std::optional<channel_ref> {
    use q(s_->channel_of_calendar_key);
    q->bind(1, std::string(key));
    if (!q->executeStep()) return std::nullopt;
    return channel_ref{q->getColumn(0).getString(), q->getColumn(1).getString()};
  });
}

std::vector<event> sqlite_event_store::calendar_events(const channel_ref& channel,
                                                       std::chrono::sys_seconds ended_after,
                                                       int limit) {
  return guarded([&] {
    raw_query q(s_->db, s_->calendar_events);
    q.bind(1, channel.platform);
    q.bind(2, channel.channel);
    q.bind(3, static_cast<std::int64_t>(std::chrono::seconds(default_event_length).count()));
    q.bind(4, seconds(ended_after));
    q.bind(5, limit);
    std::vector<event> events;
    while (q.step())
      events.push_back(read_event(q, channel));
    return events;
  });
}

std::int64_t sqlite_event_store::count_pending_jobs() {
  return guarded([&] {
    use q(s_->count_pending_jobs);
    q->executeStep();
    return q->getColumn(0).getInt64();
  });
}

}  // namespace tweetup
