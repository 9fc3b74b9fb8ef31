// A real, tiny tmpfs under the temporary directory, for tests of a full or read-only disk. It
// needs the right to mount (root, as in CI); mounted() says whether it got it, and a test that
// cannot have one says so and checks nothing. Unmounted and removed with the object.
#pragma once

#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace tweetup::test {

class small_disk {
 public:
  explicit small_disk(const std::string& size) {
    path_ = std::filesystem::temp_directory_path() / ("tweetup-disk-" + std::to_string(::getpid()));
    std::filesystem::create_directories(path_);
    mounted_ = ::mount("tmpfs", path_.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0;
  }
  ~small_disk() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  small_disk(const small_disk&) = delete;
  small_disk& operator=(const small_disk&) = delete;
  bool mounted() const { return mounted_; }
  bool make_read_only() {
    return ::mount("tmpfs", path_.c_str(), "tmpfs", MS_REMOUNT | MS_RDONLY, nullptr) == 0;
  }
  std::filesystem::path path() const { return path_; }

 private:
  std::filesystem::path path_;
  bool mounted_ = false;
};

}  // namespace tweetup::test
