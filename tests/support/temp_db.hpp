// A database file path in the temporary directory, unique per process and object; the file and
// its WAL, SHM and journal are removed with the object. Nothing is created until a store opens it.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <random>
#include <string>
#include <system_error>

namespace tweetup::test {

class temp_db {
 public:
  temp_db() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("tweetup-storage-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()) +
             ".sqlite");
  }
  ~temp_db() {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      std::filesystem::remove(path_.string() + suffix, ec);
    }
  }
  temp_db(const temp_db&) = delete;
  temp_db& operator=(const temp_db&) = delete;
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace tweetup::test
