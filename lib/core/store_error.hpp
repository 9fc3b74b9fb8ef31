// The one failure type the store port throws. Storage turns every SQLite exception into this, so
// the core can tell the user what went wrong without knowing SQLite.
#pragma once

#include <stdexcept>
#include <string>

namespace tweetup {

enum class store_failure {
  disk_full,  // SQLITE_FULL, or the file system said ENOSPC
  read_only,  // SQLITE_READONLY or a read-only file system
  busy,       // another process holds the lock past the busy timeout
  corrupt,    // SQLITE_CORRUPT / SQLITE_NOTADB
  io_error,   // a read, write or fsync failed (SQLITE_IOERR): a failing or vanished disk
  unsynced,   // committed, but the disk did not confirm it (the WAL's fsync failed): the change
              // is seen now and may or may not survive a restart
  other,
};

class store_error : public std::runtime_error {
 public:
  store_error(store_failure failure, const std::string& detail)
      : std::runtime_error(detail), failure_(failure) {}
  store_failure failure() const { return failure_; }

 private:
  store_failure failure_;
};

}  // namespace tweetup
