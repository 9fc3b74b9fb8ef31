// A SQLite VFS that gathers the writes of a commit to the WAL into a few large ones.
//
// Why: SQLite writes each WAL frame as two write() calls, its 24-byte header and then its page
// (wal.c, walWriteOneFrame), so a commit of n pages costs 2n system calls. The dispatcher
// commits a batch of commands at once, and under load a batch of joins to 40 tweetups touches
// about 45 pages: 90 pwrite() calls, each paying the kernel's per-call and per-page costs
// (bench/README.md, "WAL writes"). This VFS wraps the default one and, for WAL files only,
// keeps consecutive writes in a buffer and hands them to the file in one write.
//
// The rule that keeps it as safe as SQLite alone: no commit leaves the VFS with part of it still
// buffered. A commit frame is recognised by its header (wal.c's file format: a 24-byte frame
// header whose bytes 4-7, the database size after the commit, are not zero; sqlite.org
// fileformat2.html §4.1). The write that follows a commit header (in a commit, that frame's
// page) is flushed at once, together with everything before it. A commit header that is not
// written at the end of the log (SQLite rewriting the checksums of frames it overwrote in
// place, wal.c walRewriteChecksums, after which nothing more is written) is flushed at once.
// So by the time SQLite publishes a commit to readers (the wal-index header, written after the
// frames) and returns, the whole commit is in the file, as without the buffer; the WAL syncer's
// later fdatasync() makes it durable as before.
//
// Any other use of the file that depends on its bytes first writes out the buffer: a read
// (SQLite reading back a page it spilled mid-transaction, or a checkpoint), its size, a sync, a
// truncation and the close. A write that does not continue the buffered run also flushes it first.
// A failed flush drops the buffer: its bytes belong to a transaction that SQLite must now roll
// back. A write returns the flush's error code; any other call returns SQLITE_IOERR_WRITE, on
// which SQLite rolls back the whole transaction (on SQLITE_FULL it may keep it going).
//
// Every other file (the database, its -shm, temporary files) is opened by the default VFS with
// its own methods, untouched. The buffer (32 KiB) exists only for WAL files that were written.
// One connection uses a WAL file at a time (the store's, on the io thread), as SQLite requires
// of any sqlite3_file.
#pragma once

#include <cstdint>

struct sqlite3_file;

namespace tweetup::wal_write_vfs {

// The VFS's name for sqlite3_open_v2, registered on the first call (not as the default). Null
// when SQLite refused to register it: the caller then opens with the default VFS, which is
// correct, only slower. Call after sqlite_memory::configure(), as registering initialises SQLite.
const char* name();

// Process-wide counts for tests and benchmarks: writes SQLite made to WAL files through this
// VFS, and writes this VFS made to the files for them.
struct write_counts {
  std::uint64_t asked = 0;
  std::uint64_t written = 0;
};
write_counts counts();

// Bytes held back for `wal` (a connection's SQLITE_FCNTL_JOURNAL_POINTER); 0 for a file this
// VFS did not open as a WAL. For tests.
int buffered_bytes(sqlite3_file* wal);

}  // namespace tweetup::wal_write_vfs
