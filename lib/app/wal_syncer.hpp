// Makes commits durable off the io thread: the store commits with synchronous=NORMAL (in WAL
// mode SQLite then writes the WAL frames without fsync), and this syncer runs fdatasync() of the
// `-wal` file on one worker thread, so the io thread keeps reading the network while the disk
// flushes. The dispatcher posts a batch's replies when the sync asked for after its commit has
// finished (durability_barrier).
//
// Why this is as durable as synchronous=FULL:
// - fdatasync on any descriptor of the WAL's inode writes back all of that inode's dirty pages,
//   whoever wrote them. A sync that STARTS after commit C returned (C's frames are then in the
//   page cache) has, once it finishes, put C's frames on disk: what FULL guarantees when C
//   returns. Each request therefore waits for a sync numbered after it (a "ticket"), never for
//   one already running; requests that arrive while a sync runs share the next one. (The store
//   writes its WAL through wal_write_vfs, which gathers a commit's frames but has written them
//   all when the commit returns, so they are in the page cache then.)
// - SQLite's own syncs are only added to, never removed: with NORMAL in WAL mode it still syncs
//   the WAL before each checkpoint copies frames into the database, and the database after.
// - After a checkpoint SQLite restarts the WAL: it rewrites the header and overwrites frames
//   from the start of the same file. Those new frames are dirty pages of the same inode, so the
//   next sync covers them. The file is unlinked only when the last connection closes, and the
//   store keeps its connection for the life of the process, so the descriptor kept here stays
//   the live WAL.
// - The WAL is opened lazily, on the first request: if it does not exist yet, no commit wrote a
//   frame, and there is nothing to sync. The first sync also fsyncs the directory, as SQLite
//   does for a new WAL under FULL.
// - An empty path (":memory:", or a store whose commits sync themselves): completions run at
//   once.
// Errors: a failed open or fdatasync (EIO, ENOSPC) is logged at error once and is sticky: after
// a failed fdatasync the kernel may have dropped the dirty pages and a later success proves
// nothing, so every later request fails too and failure() reports it for the health check.
// Executor: after_commit, sync_now and the completions run on `ex` (the io thread); only
// fdatasync runs on the worker. A sync in flight keeps `ex` from running out of work. The
// destructor waits for a running sync; completions not yet run are dropped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/thread_pool.hpp>

#include "async/asio.hpp"
#include "async/durability_barrier.hpp"

namespace tweetup {

class wal_syncer final : public durability_barrier {
 public:
  // `wal_path`: the database path + "-wal" (sqlite_event_store::wal_path()), or empty.
  wal_syncer(async::executor ex, std::string wal_path);
  ~wal_syncer() override;
  wal_syncer(const wal_syncer&) = delete;
  wal_syncer& operator=(const wal_syncer&) = delete;

  void after_commit(completion done) override;
  boost::system::error_code sync_now() override;

  // The first failure to open or sync the WAL; no error while none failed.
  boost::system::error_code failure() const { return failure_; }
  // Syncs started so far (on the worker and inline): how well requests coalesced.
  std::uint64_t syncs() const { return started_; }

 private:
  struct waiter {
    completion done;
    std::uint64_t ticket;  // the first sync number that covers it
  };

  bool open_wal();  // false: failed (recorded); true with fd_ < 0: no WAL yet
  void start_sync();
  void finished(std::uint64_t number, boost::system::error_code ec);
  void complete_through(std::uint64_t number, boost::system::error_code ec);
  void record_failure(boost::system::error_code ec);

  async::executor ex_;
  std::string wal_path_;
  std::string dir_path_;
  int fd_ = -1;
  bool dir_synced_ = false;
  bool in_flight_ = false;
  std::uint64_t started_ = 0;
  std::deque<waiter> waiting_;
  boost::system::error_code failure_;
  std::shared_ptr<wal_syncer*> self_;  // posted completions hold a weak_ptr
  std::optional<boost::asio::thread_pool> worker_;
};

}  // namespace tweetup
