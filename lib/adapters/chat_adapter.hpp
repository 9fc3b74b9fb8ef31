// What every platform adapter offers the app: the chat port (outbound) plus a session that
// delivers inbound messages until it ends.
//
// Executor: all calls, and the handler, run on the adapter's executor (the io thread).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "async/asio.hpp"
#include "core/chat_port.hpp"
#include "core/inbound_message.hpp"

namespace tweetup {

class chat_adapter : public chat_port {
 public:
  // By value: the handler keeps the message (the dispatcher queues it), so adapters move it in.
  using message_handler = std::function<void(inbound_message)>;

  // Delivers each inbound message to `on_message` until the session ends for good: end of input
  // on the console, a fatal platform error, or stop(). Recoverable faults (reconnects) are the
  // adapter's own business and do not end it. `on_message` must outlive the returned task.
  virtual async::task<void> run(message_handler on_message) = 0;
  // Asks run() to finish soon: no more messages are taken in. Messages already posted are
  // still delivered, and so are the replies the app still owes for messages it took in (see
  // set_unanswered), within the shutdown grace (design.md §5).
  virtual void stop() = 0;
  virtual std::string_view name() const = 0;
  // The session is up with the platform now, so messages flow both ways (for the health check).
  // False before run(), between reconnects and after the session ended.
  virtual bool connected() const = 0;
  // More about the connection for the health report, when there is more than up or down (a
  // Discord bot's shards: "3 of 4 shards"); empty otherwise.
  virtual std::string connection_detail() const { return {}; }
  // Why run() ended on its own for good (a refused token, a fatal close code); empty when it
  // has not, or when it ended through stop() or the end of input. The process exits non-zero
  // when this is set.
  virtual std::string_view failure() const { return {}; }
  // How many messages it delivered the app still holds unanswered (queued for a commit, or
  // waiting for the sync after it), on every change. An adapter that pauses its reads while its
  // outbound queue is long counts these too, as each is about to become a reply. An adapter
  // whose outbound side closes when run() ends waits for this to reach 0 after stop().
  virtual void set_unanswered(std::size_t count) { (void)count; }
};

}  // namespace tweetup
