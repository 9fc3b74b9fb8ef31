// Structured fields for the log lines written while a scope is open: which channel, user or job
// a line is about. The JSON log puts them under "fields"; the text log appends them as
// key=value. A log call stays a plain spdlog call, so code that has no fields pays nothing.
//
//   const log_fields scope{{"channel", message.channel.channel}, {"user", message.author.id}};
//
// Lifetime: keys are string literals; values are views that must outlive the scope (the
// message being handled, the job being run). Scopes nest and must be destroyed in reverse
// order of creation, which a local variable guarantees.
// Threading: per thread; the bot logs from its one io thread.
#pragma once

#include <initializer_list>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace tweetup {

using log_field = std::pair<std::string_view, std::string_view>;

class log_fields {
 public:
  log_fields(std::initializer_list<log_field> fields) : count_(fields.size()) {
    auto& open = stack();
    open.insert(open.end(), fields.begin(), fields.end());
  }
  ~log_fields() { stack().resize(stack().size() - count_); }
  log_fields(const log_fields&) = delete;
  log_fields& operator=(const log_fields&) = delete;

  // Every field of every open scope, outermost first.
  static std::span<const log_field> current() { return stack(); }

 private:
  static std::vector<log_field>& stack() {
    // Reserved once, so opening a scope on the hot path does not allocate.
    thread_local std::vector<log_field> open = [] {
      std::vector<log_field> reserved;
      reserved.reserve(16);
      return reserved;
    }();
    return open;
  }
  std::size_t count_;
};

}  // namespace tweetup
