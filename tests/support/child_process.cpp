#include "support/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

extern char** environ;

namespace tweetup::testing {
namespace {

std::vector<std::string> merged_environment(const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> all;
  for (char** e = environ; *e; ++e) {
    const std::string entry(*e);
    const auto eq = entry.find('=');
    if (eq != std::string::npos) all[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (const auto& [k, v] : extra)
    all[k] = v;
  std::vector<std::string> flat;
  for (const auto& [k, v] : all)
    flat.push_back(k + "=" + v);
  return flat;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> p;
  for (auto& s : strings)
    p.push_back(s.data());
  p.push_back(nullptr);
  return p;
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

child_process::child_process(const std::string& program, const std::vector<std::string>& args,
                             const std::map<std::string, std::string>& env) {
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe failed");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  std::vector<std::string> argv_strings{program};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  auto argv = pointers(argv_strings);
  auto env_strings = merged_environment(env);
  auto envp = pointers(env_strings);
  const int spawned =
      ::posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  to_child_ = in[1];
  // Without O_NONBLOCK, a write larger than the free pipe space blocks until the child has read
  // it all, while the child may be blocked writing output we are not reading: a deadlock.
  ::fcntl(to_child_, F_SETFL, ::fcntl(to_child_, F_GETFL) | O_NONBLOCK);
  from_out_ = out[0];
  from_err_ = err[0];
  if (spawned != 0) throw std::runtime_error("cannot start " + program);
  // A child that exits before reading all input must not kill the test with SIGPIPE.
  ::signal(SIGPIPE, SIG_IGN);
}

child_process::~child_process() {
  close_fd(to_child_);
  close_fd(from_out_);
  close_fd(from_err_);
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

void child_process::write(const std::string& bytes) {
  pending_input_ += bytes;
}

void child_process::close_input() {
  close_after_input_ = true;
  if (pending_input_.empty()) close_fd(to_child_);
}

void child_process::send_signal(int signal) {
  ::kill(pid_, signal);
}

void child_process::pump_once() {
  pollfd fds[3];
  int n = 0;
  if (to_child_ >= 0 && !pending_input_.empty()) fds[n++] = {to_child_, POLLOUT, 0};
  if (from_out_ >= 0) fds[n++] = {from_out_, POLLIN, 0};
  if (from_err_ >= 0) fds[n++] = {from_err_, POLLIN, 0};
  if (n == 0) return;
  if (::poll(fds, n, -1) < 0) {
    if (errno == EINTR) return;
    throw std::runtime_error("poll failed");
  }
  char buffer[65536];
  for (int i = 0; i < n; ++i) {
    if (fds[i].revents == 0) continue;
    if (fds[i].fd == to_child_) {
      const ssize_t w = ::write(to_child_, pending_input_.data(), pending_input_.size());
      if (w > 0) pending_input_.erase(0, static_cast<std::size_t>(w));
      if (w < 0 && errno == EAGAIN) continue;
      if (w < 0) pending_input_.clear();
      if (w < 0 || (pending_input_.empty() && close_after_input_)) close_fd(to_child_);
      continue;
    }
    const bool is_out = fds[i].fd == from_out_;
    const ssize_t r = ::read(fds[i].fd, buffer, sizeof buffer);
    if (r > 0) {
      (is_out ? result_.out : result_.err).append(buffer, static_cast<std::size_t>(r));
    } else {
      close_fd(is_out ? from_out_ : from_err_);
    }
  }
}

bool child_process::wait_for(
    const std::function<bool(const std::string& out, const std::string& err)>& done) {
  while (!done(result_.out, result_.err)) {
    if (from_out_ < 0 && from_err_ < 0) return false;
    pump_once();
  }
  return true;
}

process_result child_process::finish() {
  close_input();
  wait_for([](const std::string&, const std::string&) { return false; });
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  if (WIFEXITED(status)) result_.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result_.signal = WTERMSIG(status);
  return result_;
}

process_result run_process(const std::string& program, const std::vector<std::string>& args,
                           const std::string& input,
                           const std::map<std::string, std::string>& env) {
  child_process child(program, args, env);
  child.write(input);
  return child.finish();
}

}  // namespace tweetup::testing
