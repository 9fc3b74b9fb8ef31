#include "adapters/console/console_adapter.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <optional>

#include <fmt/format.h>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>

#include "core/text_checks.hpp"
#include "logging/layer_log.hpp"

namespace tweetup {
namespace asio = async::asio;

// Reads lines from a file descriptor. Pipes and terminals are read asynchronously; regular files
// and /dev/null cannot be polled (epoll says EPERM), so those are read with plain read(2), which
// never waits long on them, yielding to the io_context between lines.
class console_adapter::line_reader {
 public:
  line_reader(async::executor ex, int fd) : ex_(ex), stream_(ex), fd_(fd) {
    saved_flags_ = ::fcntl(fd, F_GETFL);
    const int copy = ::dup(fd);
    boost::system::error_code ec;
    if (copy >= 0) stream_.assign(copy, ec);
    if (copy < 0 || ec) {
      if (copy >= 0) ::close(copy);
      pollable_ = false;
    }
  }
  ~line_reader() {
    close();
    // Asio made the shared file description non-blocking; give the terminal back as it was.
    if (saved_flags_ >= 0) ::fcntl(fd_, F_SETFL, saved_flags_);
  }
  line_reader(const line_reader&) = delete;
  line_reader& operator=(const line_reader&) = delete;

  void close() {
    closed_ = true;
    boost::system::error_code ignored;
    if (stream_.is_open()) stream_.close(ignored);
  }

  // The next line without its "\n", cut at max_line_bytes; nothing at end of input or after
  // close().
  async::task<std::optional<std::string>> next() {
    for (;;) {
      if (auto line = take_line()) co_return line;
      if (closed_ || at_end_) {
        if (at_end_ && !(line_.empty() && !dropping_)) {
          std::string last = std::move(line_);  // a final line with no "\n"
          line_.clear();
          dropping_ = false;
          co_return last;
        }
        co_return std::nullopt;
      }
      std::size_t got = 0;
      if (pollable_) {
        auto [ec, n] = co_await stream_.async_read_some(asio::buffer(chunk_), async::nothrow);
        if (ec) at_end_ = true;  // EOF, or closed by stop()
        got = n;
      } else {
        co_await asio::post(ex_, async::use_awaitable);
        const ssize_t n = ::read(fd_, chunk_.data(), chunk_.size());
        if (n <= 0) at_end_ = true;
        got = n > 0 ? static_cast<std::size_t>(n) : 0;
      }
      pending_.append(chunk_.data(), got);
    }
  }

 private:
  // Moves bytes from pending_ into line_ until a newline completes a line.
  std::optional<std::string> take_line() {
    const auto newline = pending_.find('\n');
    const std::size_t take = newline == std::string::npos ? pending_.size() : newline;
    const std::size_t room = max_line_bytes > line_.size() ? max_line_bytes - line_.size() : 0;
    line_.append(pending_, 0, std::min(take, room));
    if (take > room) dropping_ = true;
    pending_.erase(0, newline == std::string::npos ? take : take + 1);
    if (newline == std::string::npos) return std::nullopt;
    std::string line = std::move(line_);
    line_.clear();
    dropping_ = false;
    return line;
  }

  async::executor ex_;
  asio::posix::stream_descriptor stream_;
  int fd_;
  int saved_flags_ = -1;
  bool pollable_ = true;
  bool closed_ = false;
  bool at_end_ = false;
  bool dropping_ = false;  // the current line passed max_line_bytes; the rest is discarded
  std::array<char, 16 * 1024> chunk_{};
  std::string pending_;
  std::string line_;
};

console_adapter::console_adapter(async::executor ex, console_options options)
    : ex_(std::move(ex)), options_(std::move(options)), speaker_(options_.user) {
  const auto started = std::chrono::system_clock::now().time_since_epoch();
  session_ = std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(started).count());
}

console_adapter::~console_adapter() = default;

void console_adapter::post(outbound_message message) {
  const std::string text = message.plain_text() + "\n";
  const bool written = std::fwrite(text.data(), 1, text.size(), options_.output) == text.size();
  const bool flushed = std::fflush(options_.output) == 0;
  if (message.on_settled) {
    message.on_settled(written && flushed ? delivery::delivered : delivery::unknown);
  }
}

async::task<void> console_adapter::run(message_handler on_message) {
  line_reader reader(ex_, options_.input_fd);
  reader_ = &reader;
  if (options_.banner) {
    std::fprintf(options_.notices,
                 "Tweetup console. You are %s (a moderator here). Try !help, or "
                 "!tweetup Starbucks Alabaster 3pm. \"/as NAME\" speaks as someone else; Ctrl-D "
                 "quits.\n",
                 speaker_.c_str());
  }
  layer_log("console")->info("console adapter reading stdin as {}", speaker_);
  while (!stopping_) {
    auto line = co_await reader.next();
    if (!line) break;
    handle_line(std::move(*line), on_message);
  }
  reader_ = nullptr;
  layer_log("console")->info("console input ended");
}

void console_adapter::stop() {
  stopping_ = true;
  if (reader_) reader_->close();
}

void console_adapter::handle_line(std::string line, const message_handler& on_message) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (trim(line).empty()) return;
  if (line == "/as" || line.starts_with("/as ")) {
    const std::string name(trim(std::string_view(line).substr(3)));
    const bool usable = name.size() <= 32 && is_valid_utf8(name) && displayable(name) == name &&
                        name.find(' ') == std::string::npos;
    if (!usable) {
      std::fprintf(options_.notices, "(a name is one word of up to 32 characters)\n");
      return;
    }
    speaker_ = name.empty() ? options_.user : name;
    std::fprintf(options_.notices, "(you are now %s)\n", speaker_.c_str());
    return;
  }
  inbound_message message;
  message.channel = {"console", "console"};
  message.author = {speaker_, speaker_};
  message.text = std::move(line);
  message.message_id = fmt::format("{}-{}", session_, next_id_++);
  message.author_is_moderator = speaker_ == options_.user;
  on_message(std::move(message));
}

}  // namespace tweetup
