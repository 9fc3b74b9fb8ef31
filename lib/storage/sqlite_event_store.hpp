// The event store on one SQLite file (or ":memory:"), through SQLiteCpp.
//
// - WAL journal, foreign keys on, synchronous=FULL: a commit that returned survives a killed
//   process and a power cut.
// - The schema is versioned with PRAGMA user_version and migrated forward on open.
// - Every SQL statement is prepared once and reused.
// - transact() is BEGIN IMMEDIATE … COMMIT; a nested call is a SAVEPOINT inside it.
// - Inside a transaction, find_event may answer from the events it read earlier (an RSVP
//   reads its event on every command). Such an entry is the row as the file holds it:
//   * every write to `events` is this store's insert_event or update_event (no trigger or
//     cascade writes to events, and nothing deletes them); update_event drops the event's
//     entry before it writes, and a new event's (channel, number) has none;
//   * an entry read after an event write of the open transaction is dropped, with all others,
//     when that transaction or any savepoint of it rolls back;
//   * another connection (a second store, the sqlite3 shell) can commit only while this store
//     holds no transaction, as BEGIN IMMEDIATE takes the write lock; after it, the file's data
//     version (SQLITE_FCNTL_DATA_VERSION) is compared with the one this store saw after its
//     own last commit, and when it moved every entry is dropped.
//   Outside a transaction every read goes to the file.
// Errors: every SQLite failure becomes a store_error (see core/store_error.hpp), including on
// open. Not thread-safe: one owner, the io thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/adapter_memory.hpp"
#include "core/event_store.hpp"
#include "core/store_error.hpp"
#include "storage/event_cache.hpp"

namespace tweetup {

class sqlite_event_store final : public event_store, public adapter_memory {
 public:
  // How a commit reaches the disk.
  enum class commit_sync {
    // synchronous=FULL: COMMIT returns after the WAL is fsynced.
    full,
    // In WAL mode, synchronous=NORMAL: COMMIT writes the WAL without fsync, and the caller
    // makes it durable before telling anyone (app/wal_syncer.hpp). Applies only when the
    // database is really in WAL mode (see wal_path); otherwise the store keeps FULL.
    by_caller,
  };

  // Opens or creates the database at `path` and migrates it. Throws store_error.
  explicit sqlite_event_store(const std::string& path, commit_sync sync = commit_sync::full);
  ~sqlite_event_store() override;
  sqlite_event_store(const sqlite_event_store&) = delete;
  sqlite_event_store& operator=(const sqlite_event_store&) = delete;

  void transact(const std::function<void()>& work) override;
  channel_settings load_channel(const channel_ref& channel) override;
  void save_channel(const channel_settings& settings) override;
  event insert_event(event e) override;
  void update_event(const event& e) override;
  std::optional<event> find_event(const channel_ref& channel, int number) override;
  std::vector<event> upcoming_events(const channel_ref& channel,
                                     std::chrono::sys_seconds now) override;
  std::vector<rsvp> rsvps_of(std::int64_t event_id) override;
  rsvp_slice rsvp_slice_of(std::int64_t event_id, std::string_view user_id) override;
  void save_rsvp(const rsvp& r) override;
  std::optional<event> find_event_by_id(std::int64_t id) override;
  void replace_pending_jobs(std::int64_t event_id, const std::vector<job>& jobs) override;
  std::vector<job> due_jobs(std::chrono::sys_seconds now, int limit) override;
  void add_job(const job& j) override;
  void set_job_state(std::int64_t job_id, job_state state, std::chrono::sys_seconds at) override;
  int posts_sent_since(const channel_ref& channel, std::chrono::sys_seconds since) override;
  std::optional<std::chrono::sys_seconds> next_job_due() override;
  std::vector<job> pending_jobs(const channel_ref& channel) override;
  std::string calendar_key(const channel_ref& channel) override;
  std::optional<channel_ref> channel_of_calendar_key(std::string_view key) override;
  std::vector<event> calendar_events(const channel_ref& channel,
                                     std::chrono::sys_seconds ended_after, int limit) override;
  // adapter_memory: rare (a start and a stop), so prepared on each call.
  std::optional<std::string> recall(std::string_view key) override;
  void remember(std::string_view key, std::string_view value) override;
  void forget(std::string_view key) override;

  // Proves the database takes a write now: one transaction that bumps the counter in the
  // `health` table and commits (through fsync, unless commit_sync::by_caller). Throws store_error
  // when it cannot, e.g. read_only or disk_full; nothing else changes either way. Costs an fsync,
  // so callers rate-limit it (see app/write_check_cache.hpp).
  void check_writable();

  // The write-ahead log the caller must sync after each commit: `path` + "-wal" when the store
  // was opened with commit_sync::by_caller and the database is in WAL mode; empty when commits
  // sync themselves (FULL, ":memory:", or a file system on which SQLite refused WAL mode).
  const std::string& wal_path() const { return wal_path_; }

  // The schema version this build writes.
  static int schema_version();

  // Jobs planned and not yet delivered (pending, or sending after a crash): the jobs_pending
  // gauge, read once per scrape. Throws store_error.
  std::int64_t count_pending_jobs();

 private:
  struct statements;
  std::string wal_path_;
  // Runs `work` with SQLite's exceptions turned into store_error, and notes a failure that
  // ended the open transaction (note_failure). Defined in the .cpp, its only user.
  template <typename Work>
  auto guarded(Work&& work);
  void note_failure(const store_error& error);
  void insert_job(const job& j);  // inside guarded()
  void transact_nested(const std::function<void()>& work);
  void undo_savepoint();
  std::unique_ptr<statements> s_;
  int depth_ = 0;  // open transact calls: 1 is the transaction, more are savepoints in it
  // Set when an inner call's failure rolled back the whole transaction; see event_store.hpp.
  std::optional<store_error> abandoned_;
  // Events read in transactions (see the top of this file), and what keeps them coherent.
  event_cache events_{256};
  bool events_written_ = false;  // insert_event or update_event in the open transaction
  // The file's data version after this store's last commit; none before the first.
  std::optional<unsigned> committed_data_version_;
  std::optional<unsigned> data_version() const;
  bool may_use_cached_events() const { return depth_ > 0 && !abandoned_; }
  void forget_events_if_written();
};

}  // namespace tweetup
