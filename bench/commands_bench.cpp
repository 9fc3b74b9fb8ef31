// Commands per second through the core and the SQLite store, on a file database: a mix of
// creates (1 in 5) and joins over 50 channels, each command its own committed transaction,
// exactly as the bot runs them. Prints ops/s and the process's peak RSS.
//
//   commands_bench [--ops N] [--db PATH] [--joins-per-event J]
//     (default 20000 ops, a temporary file, J = 4). A larger J skews the mix towards big events:
//     with J = 400 each event ends with ~400 RSVPs, where reading them all used to dominate.
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/gathering_service.hpp"
#include "storage/sqlite_event_store.hpp"

namespace {

long peak_rss_kib() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

struct cpu_time {
  double user = 0, system = 0;
};

// CPU time of this process so far: user (our code and SQLite's) and system (the kernel's work
// for our writes and fsyncs).
cpu_time cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return {seconds(usage.ru_utime), seconds(usage.ru_stime)};
}

}  // namespace

int main(int argc, char** argv) {
  long ops = 20000;
  long joins_per_event = 4;
  std::string db_path;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--ops") ops = std::atol(argv[i + 1]);
    if (flag == "--db") db_path = argv[i + 1];
    if (flag == "--joins-per-event") joins_per_event = std::atol(argv[i + 1]);
  }
  const bool temporary = db_path.empty();
  if (temporary) {
    db_path = (std::filesystem::temp_directory_path() /
               ("tweetup-bench-" + std::to_string(::getpid()) + ".db"))
                  .string();
  }

  long failures = 0;
  std::chrono::duration<double> elapsed{};
  cpu_time cpu;
  {
    tweetup::sqlite_event_store store(db_path);
    tweetup::gathering_service service(store, {"!", "America/Chicago"});
    const auto now =
        std::chrono::sys_seconds{std::chrono::seconds{1795882500}};  // 2026-11-28 16:15Z
    constexpr int channels = 50;
    int events_in[channels] = {};
    const auto start = std::chrono::steady_clock::now();
    const cpu_time cpu_start = cpu_seconds();
    for (long i = 0; i < ops; ++i) {
      const int c = static_cast<int>(i % channels);
      tweetup::inbound_message m;
      m.channel = {"bench", "channel-" + std::to_string(c)};
      m.author = {"user-" + std::to_string(i), "user" + std::to_string(i)};
      m.message_id = std::to_string(i);
      // Each channel in turn: one create, then `joins_per_event` joins of that event.
      if ((i / channels) % (joins_per_event + 1) == 0) {
        m.text = "!tweetup Cafe " + std::to_string(i) + " tomorrow 3pm";
        ++events_in[c];
      } else {
        m.text = "!join " + std::to_string(events_in[c]);
      }
      const auto outcome = service.handle(m, now);
      if (outcome.status != tweetup::command_status::ok) ++failures;
    }
    elapsed = std::chrono::steady_clock::now() - start;
    const cpu_time cpu_end = cpu_seconds();
    cpu = {cpu_end.user - cpu_start.user, cpu_end.system - cpu_start.system};
  }
  if (temporary) {
    for (const char* suffix : {"", "-wal", "-shm"})
      std::filesystem::remove(db_path + suffix);
  }
  std::printf("commands: %ld ops in %.3f s = %.0f ops/s (%.1f us/op), failures %ld\n", ops,
              elapsed.count(), ops / elapsed.count(), 1e6 * elapsed.count() / ops, failures);
  std::printf(
      "cpu: user %.1f us/op, system %.1f us/op (the rest of the wall time is waiting "
      "for fsync)\n",
      1e6 * cpu.user / ops, 1e6 * cpu.system / ops);
  std::printf("peak RSS: %.1f MiB\n", peak_rss_kib() / 1024.0);
  return failures == 0 ? 0 : 1;
}
