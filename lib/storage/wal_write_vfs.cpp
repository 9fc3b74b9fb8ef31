#include "storage/wal_write_vfs.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace tweetup::wal_write_vfs {

namespace {

constexpr const char* vfs_name = "tweetup-wal-writes";
// About eight frames of 4 KiB pages a write: the calls fall tenfold, and the buffer stays a
// small part of the bot's heap.
constexpr int buffer_capacity = 32 * 1024;
constexpr int frame_header_size = 24;  // fileformat2 §4.1

std::atomic<std::uint64_t> asked{0};
std::atomic<std::uint64_t> written{0};

sqlite3_vfs* base_vfs = nullptr;  // the default VFS, which does the real work
sqlite3_vfs wrapper{};

// A WAL file: this header, then the base VFS's own file object at `real_offset`.
struct wal_file {
  sqlite3_file base;  // first: SQLite sees a sqlite3_file
  sqlite3_file* real;
  char* buffer;           // buffer_capacity bytes once the first write came; else null
  int buffered;           // bytes in buffer
  sqlite3_int64 start;    // the file offset of buffer[0]
  sqlite3_int64 log_end;  // where the furthest write since the last WAL header ended
  bool flush_next_write;  // the last write was a commit header: its page comes next
};

constexpr std::size_t real_offset = (sizeof(wal_file) + 7) / 8 * 8;

wal_file* as_wal(sqlite3_file* f) {
  return reinterpret_cast<wal_file*>(f);
}

bool is_commit_header(const void* data, int amount) {
  if (amount != frame_header_size) return false;
  const auto* bytes = static_cast<const unsigned char*>(data);
  return (bytes[4] | bytes[5] | bytes[6] | bytes[7]) != 0;
}

int write_out(wal_file* w, const void* data, int amount, sqlite3_int64 offset) {
  written.fetch_add(1, std::memory_order_relaxed);
  return w->real->pMethods->xWrite(w->real, data, amount, offset);
}

// The buffer is emptied before the write, so on failure its bytes are dropped, never written
// later: they belong to a transaction that SQLite now rolls back (a write that fails does that),
// and bytes of a failed commit written after the rollback could make it whole in the file, to
// come back after a crash.
int flush(wal_file* w) {
  if (w->buffered == 0) return SQLITE_OK;
  const int size = w->buffered;
  w->buffered = 0;
  return write_out(w, w->buffer, size, w->start);
}

// A flush for anything but a write fails as an I/O error whatever the cause. SQLite rolls back
// the whole transaction on an I/O error, but on a full disk it may roll back only the statement
// and go on (vdbeaux.c, sqlite3VdbeHalt), with frames it counts as written now missing.
int flush_before_use(wal_file* w) {
  return flush(w) == SQLITE_OK ? SQLITE_OK : SQLITE_IOERR_WRITE;
}

int wal_close(sqlite3_file* f) {
  wal_file* w = as_wal(f);
  const int flushed = flush(w);
  const int closed = w->real->pMethods->xClose(w->real);
  std::free(w->buffer);
  w->buffer = nullptr;
  return flushed != SQLITE_OK ? flushed : closed;
}

int wal_read(sqlite3_file* f, void* out, int amount, sqlite3_int64 offset) {
  wal_file* w = as_wal(f);
  if (const int rc = flush_before_use(w); rc != SQLITE_OK) return rc;
  return w->real->pMethods->xRead(w->real, out, amount, offset);
}

int wal_write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  wal_file* w = as_wal(f);
  asked.fetch_add(1, std::memory_order_relaxed);
  // A write at offset 0 is a new WAL header: SQLite starts the log again from the beginning.
  if (offset == 0) w->log_end = 0;
  const bool commit_header = is_commit_header(data, amount);
  const bool at_end = offset >= w->log_end;
  w->log_end = std::max(w->log_end, offset + amount);
  const bool flush_after = w->flush_next_write || (commit_header && !at_end);
  w->flush_next_write = commit_header;

  const bool continues = w->buffered > 0 && offset == w->start + w->buffered &&
                         w->buffered + amount <= buffer_capacity;
  if (!continues) {
    if (const int rc = flush(w); rc != SQLITE_OK) return rc;
    if (w->buffer == nullptr && amount <= buffer_capacity)
      w->buffer = static_cast<char*>(std::malloc(buffer_capacity));
    // Too large to gather, or no memory to gather in: written as SQLite alone would.
    if (amount > buffer_capacity || w->buffer == nullptr) return write_out(w, data, amount, offset);
    w->start = offset;
  }
  std::memcpy(w->buffer + w->buffered, data, static_cast<std::size_t>(amount));
  w->buffered += amount;
  return flush_after ? flush(w) : SQLITE_OK;
}

int wal_truncate(sqlite3_file* f, sqlite3_int64 size) {
  wal_file* w = as_wal(f);
  if (const int rc = flush_before_use(w); rc != SQLITE_OK) return rc;
  w->log_end = std::min(w->log_end, size);
  return w->real->pMethods->xTruncate(w->real, size);
}

int wal_sync(sqlite3_file* f, int flags) {
  wal_file* w = as_wal(f);
  if (const int rc = flush_before_use(w); rc != SQLITE_OK) return rc;
  return w->real->pMethods->xSync(w->real, flags);
}

int wal_file_size(sqlite3_file* f, sqlite3_int64* size) {
  wal_file* w = as_wal(f);
  if (const int rc = flush_before_use(w); rc != SQLITE_OK) return rc;
  return w->real->pMethods->xFileSize(w->real, size);
}

int wal_lock(sqlite3_file* f, int level) {
  sqlite3_file* real = as_wal(f)->real;
  return real->pMethods->xLock(real, level);
}

int wal_unlock(sqlite3_file* f, int level) {
  sqlite3_file* real = as_wal(f)->real;
  return real->pMethods->xUnlock(real, level);
}

int wal_check_reserved_lock(sqlite3_file* f, int* out) {
  sqlite3_file* real = as_wal(f)->real;
  return real->pMethods->xCheckReservedLock(real, out);
}

// Not a flush: no file control needs the frames in the file, and SQLite ignores the result of
// some (the "hints"), so a failed flush here could drop frames unnoticed.
int wal_file_control(sqlite3_file* f, int op, void* arg) {
  sqlite3_file* real = as_wal(f)->real;
  return real->pMethods->xFileControl(real, op, arg);
}

int wal_sector_size(sqlite3_file* f) {
  sqlite3_file* real = as_wal(f)->real;
  return real->pMethods->xSectorSize(real);
}

int wal_device_characteristics(sqlite3_file* f) {
  sqlite3_file* real = as_wal(f)->real;
  return real->pMethods->xDeviceCharacteristics(real);
}

// Version 1: SQLite maps shared memory and pages through the database file only, never
// through the WAL.
const sqlite3_io_methods wal_methods = {
    1,
    wal_close,
    wal_read,
    wal_write,
    wal_truncate,
    wal_sync,
    wal_file_size,
    wal_lock,
    wal_unlock,
    wal_check_reserved_lock,
    wal_file_control,
    wal_sector_size,
    wal_device_characteristics,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
};

int open_file(sqlite3_vfs*, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  // Everything but a WAL is the base VFS's own file, with its own methods, at our address.
  if ((flags & SQLITE_OPEN_WAL) == 0)
    return base_vfs->xOpen(base_vfs, name, file, flags, out_flags);
  auto* real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + real_offset);
  const int rc = base_vfs->xOpen(base_vfs, name, real, flags, out_flags);
  if (rc != SQLITE_OK) {
    file->pMethods = nullptr;  // SQLite then does not call xClose
    return rc;
  }
  wal_file* w = as_wal(file);
  w->real = real;
  w->buffer = nullptr;
  w->buffered = 0;
  w->start = 0;
  w->log_end = 0;
  w->flush_next_write = false;
  w->base.pMethods = &wal_methods;
  return SQLITE_OK;
}

// The rest is the base VFS's, called with the base VFS itself.
int delete_file(sqlite3_vfs*, const char* name, int sync_dir) {
  return base_vfs->xDelete(base_vfs, name, sync_dir);
}
int access_file(sqlite3_vfs*, const char* name, int flags, int* out) {
  return base_vfs->xAccess(base_vfs, name, flags, out);
}
int full_pathname(sqlite3_vfs*, const char* name, int size, char* out) {
  return base_vfs->xFullPathname(base_vfs, name, size, out);
}
void* dl_open(sqlite3_vfs*, const char* name) {
  return base_vfs->xDlOpen(base_vfs, name);
}
void dl_error(sqlite3_vfs*, int size, char* out) {
  base_vfs->xDlError(base_vfs, size, out);
}
void (*dl_sym(sqlite3_vfs*, void* handle, const char* symbol))(void) {
  return base_vfs->xDlSym(base_vfs, handle, symbol);
}
void dl_close(sqlite3_vfs*, void* handle) {
  base_vfs->xDlClose(base_vfs, handle);
}
int randomness(sqlite3_vfs*, int size, char* out) {
  return base_vfs->xRandomness(base_vfs, size, out);
}
int sleep_for(sqlite3_vfs*, int microseconds) {
  return base_vfs->xSleep(base_vfs, microseconds);
}
int current_time(sqlite3_vfs*, double* out) {
  return base_vfs->xCurrentTime(base_vfs, out);
}
int last_error(sqlite3_vfs*, int size, char* out) {
  return base_vfs->xGetLastError(base_vfs, size, out);
}
int current_time_ms(sqlite3_vfs*, sqlite3_int64* out) {
  return base_vfs->xCurrentTimeInt64(base_vfs, out);
}

bool install() {
  base_vfs = sqlite3_vfs_find(nullptr);
  // Version 2 at least: SQLite asks a version-1 VFS for the time as a double only.
  if (base_vfs == nullptr || base_vfs->iVersion < 2) return false;
  wrapper.iVersion = 2;
  wrapper.szOsFile = static_cast<int>(real_offset) + base_vfs->szOsFile;
  wrapper.mxPathname = base_vfs->mxPathname;
  wrapper.zName = vfs_name;
  wrapper.xOpen = open_file;
  wrapper.xDelete = delete_file;
  wrapper.xAccess = access_file;
  wrapper.xFullPathname = full_pathname;
  wrapper.xDlOpen = dl_open;
  wrapper.xDlError = dl_error;
  wrapper.xDlSym = dl_sym;
  wrapper.xDlClose = dl_close;
  wrapper.xRandomness = randomness;
  wrapper.xSleep = sleep_for;
  wrapper.xCurrentTime = current_time;
  wrapper.xGetLastError = last_error;
  wrapper.xCurrentTimeInt64 = current_time_ms;
  return sqlite3_vfs_register(&wrapper, 0) == SQLITE_OK;
}

}  // namespace

const char* name() {
  static std::once_flag once;
  static bool installed = false;
  std::call_once(once, [] { installed = install(); });
  return installed ? vfs_name : nullptr;
}

int buffered_bytes(sqlite3_file* wal) {
  return wal != nullptr && wal->pMethods == &wal_methods ? as_wal(wal)->buffered : 0;
}

write_counts counts() {
  return {asked.load(std::memory_order_relaxed), written.load(std::memory_order_relaxed)};
}

}  // namespace tweetup::wal_write_vfs
