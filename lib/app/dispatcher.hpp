// Glue between an adapter and the core, with group commit: inbound messages are queued, and a
// flush handles a burst of them inside ONE store transaction (each command in its own savepoint,
// so a failing one is undone alone), commits once, and only then posts every reply in order
// (design.md principle 5). One fsync then serves the whole burst instead of one per command.
//
// - When a flush runs: on_message posts it to the executor. When it runs and the queue is still
//   growing (an adapter reads buffered frames one posted completion at a time), it posts itself
//   again, so the frames already readable join the batch; it commits once the queue stopped
//   growing or holds max_batch messages. A message with replies_inline set is handled, with
//   everything queued before it, before on_message returns.
// - Replies wait for durability: after the commit the dispatcher asks `durable` (see
//   wal_syncer.hpp) and posts the batch's replies when it completes, so the io thread does not
//   wait for the disk. Batches complete in commit order, so replies keep their order. A batch
//   holding a replies_inline message syncs at once (durability_barrier::sync_now), blocking.
// - If the batch's commit, or the sync after it, fails, no reply claims success: every command
//   that went well gets the apologetic reply of a store failure instead
//   (gathering_service::commit_failed). If the batch cannot even begin, each message is handled
//   on its own, as without batching.
// - Each outcome is logged and counted here (the one place, log_outcome), once durable or
//   failed; `after_change` then runs once per batch in which a command that succeeded wrote
//   jobs (the scheduler's wake-up: the plan changed). A plain RSVP wakes nothing: at 1,000
//   joins/s the wake-ups, each a transaction reading the plan, took 11% of the bot's CPU.
// - Unanswered messages are counted: those queued for a commit plus those whose batch waits for
//   its sync. `on_unanswered` hears every change, so an adapter that pauses its reads when its
//   outbound queue is long can count these too: each is about to become a reply, and a slow sync
//   would otherwise let them pile up unseen between the read and the reply. A message leaves the
//   count just before its replies are posted, so the sum of the two never counts one twice.
// - The batch is opened and closed inside one flush, on the io thread, so no other transaction
//   (the scheduler's jobs) can interleave with it.
// Executor: everything runs on `ex`. service, store, time, port and durable must outlive the
// dispatcher; a flush still posted, or a batch still waiting for its sync, when it is destroyed
// does nothing.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include "app/command_metrics.hpp"
#include "async/asio.hpp"
#include "async/durability_barrier.hpp"
#include "core/chat_port.hpp"
#include "core/clock.hpp"
#include "core/command_outcome.hpp"
#include "core/event_store.hpp"
#include "core/gathering_service.hpp"

namespace tweetup {

class dispatcher {
 public:
  // The most commands one commit carries: bounds the wait of the first one in a long burst.
  static constexpr std::size_t max_batch = 64;

  // `store` is the one `service` writes to.
  dispatcher(async::executor ex, gathering_service& service, event_store& store, const clock& time,
             chat_port& port, durability_barrier& durable, std::function<void()> after_change = {});
  ~dispatcher();
  dispatcher(const dispatcher&) = delete;
  dispatcher& operator=(const dispatcher&) = delete;

  // Queues the message; see above for when it is handled.
  void on_message(inbound_message message);
  // Handles everything queued now: for the end of a session, so nothing waits for a later turn.
  // Its replies still wait for their sync (see wal_syncer.hpp: the executor keeps running).
  void flush();

  struct counters {
    std::size_t batches = 0;   // flushes that handled at least one message
    std::size_t messages = 0;  // messages handled in them
  };
  const counters& stats() const { return stats_; }

  // Messages taken in whose replies are not posted yet (see above), and who hears its changes.
  std::size_t unanswered() const { return unanswered_; }
  void on_unanswered(std::function<void(std::size_t)> report) {
    report_unanswered_ = std::move(report);
  }

 private:
  void post_settle();
  void settle();
  struct batch;
  void deliver(batch& done, boost::system::error_code sync_error);
  void log_outcome(const inbound_message& message, const command_outcome& outcome);
  void count_unanswered(std::size_t now);

  async::executor ex_;
  gathering_service& service_;
  event_store& store_;
  const clock& clock_;
  chat_port& port_;
  durability_barrier& durable_;
  std::function<void()> after_change_;
  std::function<void(std::size_t)> report_unanswered_;
  std::size_t unanswered_ = 0;
  command_metrics metrics_;
  std::vector<inbound_message> queue_;
  bool settle_posted_ = false;
  bool first_settle_ = false;          // the posted flush has not yet looked at the queue
  std::size_t seen_ = 0;               // queue size when the flush was last posted
  std::shared_ptr<dispatcher*> self_;  // posted handlers hold a weak_ptr: a late one does nothing
  counters stats_;
};

}  // namespace tweetup
