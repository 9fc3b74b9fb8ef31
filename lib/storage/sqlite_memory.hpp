// Process-wide SQLite memory settings. sqlite3_config() takes them only before SQLite
// initialises, so the store asks for them before its first open.
//
// - Memory statistics off: SQLite takes a global mutex around every allocation to keep them
//   (a few hundred per command), and nothing here reads them.
// - A few spare large blocks. Every write inside a savepoint copies the pages it changes into a
//   statement journal kept in memory, allocated in 64 KiB chunks (SQLITE_STMTJRNL_SPILL) and
//   freed when the savepoint ends; the dispatcher runs each command in its own savepoint. A
//   trigger's frame (about 1.4 KiB) is allocated and freed on every RSVP write. Both sizes are
//   past glibc's per-thread cache, so each command paid two trips through the bins. Freed
//   blocks of 1 to 64 KiB are kept, up to four, and handed to the next request of their size.
#pragma once

#include <cstdint>

namespace tweetup::sqlite_memory {

// Applies both settings. True when they are in force (this call or an earlier one); false when
// SQLite had been initialised first, in which case it keeps its defaults (a no-op for
// correctness). Not safe against a concurrent first call: its caller is the store's open.
bool configure();

// Large blocks handed out again from the spare instead of malloc, for tests and benchmarks.
std::uint64_t reused_blocks();

}  // namespace tweetup::sqlite_memory
