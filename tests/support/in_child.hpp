// For tests of failures that must not outlive them or could take the whole test process down
// (a file-size limit, a disk that refuses writes): run the work in a forked child.
#pragma once

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <cstdio>

#include <doctest/doctest.h>

namespace tweetup::test {

// Runs `work` (returning an int) in a forked child; returns its exit code, or 128 + the signal
// that ended it. An exception in the child ends it with 98.
template <typename Work>
int in_child(Work work) {
  std::fflush(nullptr);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // doctest's crash handlers belong to the parent; here a crash should just end the child.
    for (const int signal : {SIGABRT, SIGSEGV, SIGILL, SIGFPE, SIGBUS, SIGTERM})
      std::signal(signal, SIG_DFL);
    int code = 99;
    try {
      code = work();
    } catch (...) {
      code = 98;
    }
    std::fflush(nullptr);
    ::_exit(code);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

// Caps how large any file of this process may grow, as a full or dead disk would: a write past
// the cap fails (SQLite sees SQLITE_FULL or EFBIG), root included, and SIGXFSZ is ignored. Only
// in a child (in_child), where the cap stays. Returns the old limit, to restore.
inline rlimit cap_file_size(std::uintmax_t bytes) {
  std::signal(SIGXFSZ, SIG_IGN);
  rlimit old_limit{};
  ::getrlimit(RLIMIT_FSIZE, &old_limit);
  rlimit capped = old_limit;
  capped.rlim_cur = static_cast<rlim_t>(bytes);
  ::setrlimit(RLIMIT_FSIZE, &capped);
  return old_limit;
}

}  // namespace tweetup::test
