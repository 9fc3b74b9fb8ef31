// A program started by a test, with pipes on stdin, stdout and stderr. For integration tests of
// the `tweetup` binary. Reads and writes are multiplexed with poll(2), so a child that answers
// while still reading cannot deadlock the test, and waiting for output never sleeps.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace tweetup::testing {

struct process_result {
  int exit_code = -1;  // from exit(); -1 when killed by a signal
  int signal = 0;      // the signal that ended it, if any
  std::string out;
  std::string err;
};

class child_process {
 public:
  // `env` entries are added to (or replace those of) the test's own environment.
  child_process(const std::string& program, const std::vector<std::string>& args,
                const std::map<std::string, std::string>& env = {});
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  // Queues bytes for the child's stdin; they are written while the test waits for output.
  void write(const std::string& bytes);
  void close_input();
  // Pumps the pipes until `done(out, err)` holds or both outputs end; returns whether it held.
  bool wait_for(const std::function<bool(const std::string& out, const std::string& err)>& done);
  void send_signal(int signal);
  pid_t pid() const { return pid_; }
  // Closes stdin, reads everything to the end, and reaps the child.
  process_result finish();

 private:
  void pump_once();

  pid_t pid_ = -1;
  int to_child_ = -1, from_out_ = -1, from_err_ = -1;
  std::string pending_input_;
  bool close_after_input_ = false;
  process_result result_;
};

// Runs a program to completion with the given stdin.
process_result run_process(const std::string& program, const std::vector<std::string>& args,
                           const std::string& input,
                           const std::map<std::string, std::string>& env = {});

}  // namespace tweetup::testing
