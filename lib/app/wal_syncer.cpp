#include "app/wal_syncer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <limits>
#include <utility>

#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>

#include "app/logging.hpp"

namespace tweetup {

namespace {

boost::system::error_code last_error() {
  return {errno, boost::system::system_category()};
}

// Runs on the worker, or inline for sync_now. `dir` non-empty: fsync it too.
boost::system::error_code sync_file(int fd, const std::string& dir) {
  if (::fdatasync(fd) != 0) return last_error();
  if (dir.empty()) return {};
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return last_error();
  boost::system::error_code ec;
  if (::fsync(dir_fd) != 0) ec = last_error();
  ::close(dir_fd);
  return ec;
}

}  // namespace

wal_syncer::wal_syncer(async::executor ex, std::string wal_path)
    : ex_(std::move(ex)),
      wal_path_(std::move(wal_path)),
      self_(std::make_shared<wal_syncer*>(this)) {
  if (wal_path_.empty()) return;
  const auto parent = std::filesystem::path(wal_path_).parent_path();
  dir_path_ = parent.empty() ? "." : parent.string();
  worker_.emplace(1);
}

wal_syncer::~wal_syncer() {
  self_.reset();
  // The running sync uses fd_: wait for it before closing.
  if (worker_) worker_->join();
  if (fd_ >= 0) ::close(fd_);
}

bool wal_syncer::open_wal() {
  // Read-only is enough: Linux's fdatasync needs no write access.
  fd_ = ::open(wal_path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ >= 0 || errno == ENOENT) return true;
  record_failure(last_error());
  return false;
}

void wal_syncer::after_commit(completion done) {
  if (waiting_.empty()) {
    if (wal_path_.empty()) return done({});
    if (failure_) return done(failure_);
    if (fd_ < 0) {
      if (!open_wal()) return done(failure_);
      if (fd_ < 0) return done({});  // no WAL yet: no commit has written a frame
    }
  }
  waiting_.push_back({std::move(done), started_ + 1});
  if (!in_flight_) start_sync();
}

void wal_syncer::start_sync() {
  in_flight_ = true;
  const std::uint64_t number = ++started_;
  std::string dir = dir_synced_ ? std::string() : dir_path_;
  dir_synced_ = true;
  // The tracked executor keeps run() from returning while the worker holds a sync whose
  // replies are still owed.
  auto home = boost::asio::prefer(ex_, boost::asio::execution::outstanding_work.tracked);
  boost::asio::post(*worker_, [fd = fd_, dir = std::move(dir), number, home = std::move(home),
                               weak = std::weak_ptr<wal_syncer*>(self_)] {
    const auto ec = sync_file(fd, dir);
    boost::asio::post(home, [weak, number, ec] {
      if (const auto self = weak.lock()) (*self)->finished(number, ec);
    });
  });
}

void wal_syncer::finished(std::uint64_t number, boost::system::error_code ec) {
  in_flight_ = false;
  if (ec) record_failure(ec);
  complete_through(number, failure_);
  if (waiting_.empty() || in_flight_) return;  // a completion may have asked again
  if (failure_)
    complete_through(std::numeric_limits<std::uint64_t>::max(), failure_);
  else
    start_sync();
}

boost::system::error_code wal_syncer::sync_now() {
  if (wal_path_.empty()) return {};
  if (!failure_ && fd_ < 0 && open_wal() && fd_ < 0) return {};  // no WAL, so none waiting
  if (!failure_) {
    ++started_;
    if (const auto ec = sync_file(fd_, dir_synced_ ? std::string() : dir_path_); ec)
      record_failure(ec);
    dir_synced_ = true;
  }
  // This sync started after every waiting request, so it covers them all (one on the worker
  // then finds nothing left), but not those a completion makes while they run.
  complete_through(failure_ ? std::numeric_limits<std::uint64_t>::max() : started_, failure_);
  return failure_;
}

void wal_syncer::complete_through(std::uint64_t number, boost::system::error_code ec) {
  while (!waiting_.empty() && waiting_.front().ticket <= number) {
    completion done = std::move(waiting_.front().done);
    waiting_.pop_front();
    done(ec);
  }
}

void wal_syncer::record_failure(boost::system::error_code ec) {
  if (failure_) return;
  failure_ = ec;
  app_log()->error(
      "syncing the database log {} failed: {}; commits since the last sync may be lost, and "
      "every later command is answered as not saved until the bot restarts",
      wal_path_, ec.message());
}

}  // namespace tweetup
