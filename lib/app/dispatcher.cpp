#include "app/dispatcher.hpp"

#include <algorithm>
#include <iterator>
#include <string>

#include <boost/asio/post.hpp>

#include "app/logging.hpp"
#include "core/store_error.hpp"
#include "logging/log_fields.hpp"

namespace tweetup {

dispatcher::dispatcher(async::executor ex, gathering_service& service, event_store& store,
                       const clock& time, chat_port& port, durability_barrier& durable,
                       std::function<void()> after_change)
    : ex_(std::move(ex)),
      service_(service),
      store_(store),
      clock_(time),
      port_(port),
      durable_(durable),
      after_change_(std::move(after_change)),
      self_(std::make_shared<dispatcher*>(this)) {
  queue_.reserve(max_batch);
}

dispatcher::~dispatcher() = default;

struct dispatcher::batch {
  std::vector<inbound_message> messages;
  std::vector<command_outcome> outcomes;
};

void dispatcher::on_message(inbound_message message) {
  const bool replies_inline = message.replies_inline;
  queue_.push_back(std::move(message));
  count_unanswered(unanswered_ + 1);
  if (replies_inline || queue_.size() >= max_batch) {
    flush();
    return;
  }
  if (!settle_posted_) {
    first_settle_ = true;
    post_settle();
  }
}

void dispatcher::post_settle() {
  settle_posted_ = true;
  seen_ = queue_.size();
  async::asio::post(ex_, [weak = std::weak_ptr<dispatcher*>(self_)] {
    if (const auto self = weak.lock()) (*self)->settle();
  });
}

// Beast hands over each frame already in its buffer through a posted completion, so a burst
// reaches on_message one executor turn at a time. The first turn always goes round once more,
// and later ones as long as the turn brought more messages: the batch then takes in every
// frame that was readable, and commits as soon as the next read has to wait for the network.
void dispatcher::settle() {
  settle_posted_ = false;
  if (queue_.empty()) return;  // a full batch or an inline message flushed it meanwhile
  const bool grew = first_settle_ || queue_.size() > seen_;
  first_settle_ = false;
  if (grew && queue_.size() < max_batch) {
    post_settle();
    return;
  }
  flush();
}

void dispatcher::flush() {
  if (queue_.empty()) return;
  auto done = std::make_shared<batch>();
  // The batch holds its messages until its WAL sync ends, and hundreds of commands can wait
  // for syncs at full speed: moved into a vector of their own size, they do not hold
  // max_batch slots each time, and queue_ keeps its capacity for the next batch.
  done->messages.assign(std::make_move_iterator(queue_.begin()),
                        std::make_move_iterator(queue_.end()));
  queue_.clear();
  const auto& messages = done->messages;
  auto& outcomes = done->outcomes;
  outcomes.reserve(messages.size());
  try {
    store_.transact([&] {
      for (const auto& message : messages)
        outcomes.push_back(service_.handle(message, clock_.now()));
    });
  } catch (const store_error& e) {
    for (std::size_t i = 0; i < outcomes.size(); ++i)
      outcomes[i] = gathering_service::commit_failed(messages[i], std::move(outcomes[i]), e);
    // Messages the batch never reached (BEGIN itself failed: a read-only or busy database) go
    // one by one, as without batching: read-only commands still answer, the rest say why not.
    for (std::size_t i = outcomes.size(); i < messages.size(); ++i)
      outcomes.push_back(service_.handle(messages[i], clock_.now()));
  }
  app_log()->debug("group commit: {} messages", messages.size());
  ++stats_.batches;
  stats_.messages += messages.size();
  const bool inline_replies =
      std::any_of(messages.begin(), messages.end(), [](const auto& m) { return m.replies_inline; });
  // A failed batch waits too, so replies never overtake those of an earlier batch.
  durable_.after_commit([weak = std::weak_ptr<dispatcher*>(self_), done](auto sync_error) {
    if (const auto self = weak.lock()) (*self)->deliver(*done, sync_error);
  });
  if (inline_replies) durable_.sync_now();  // its completion above has run when it returns
}

void dispatcher::deliver(batch& done, boost::system::error_code sync_error) {
  if (sync_error) {
    // The commit returned but may not be on disk. Unlike a COMMIT that failed under
    // synchronous=FULL, its rows stay in the database this process reads, so the answer says
    // the change may be lost rather than that nothing changed.
    const store_error lost(store_failure::unsynced,
                           "syncing the write-ahead log failed: " + sync_error.message());
    for (std::size_t i = 0; i < done.outcomes.size(); ++i)
      done.outcomes[i] =
          gathering_service::commit_failed(done.messages[i], std::move(done.outcomes[i]), lost);
  }
  bool changed = false;
  for (std::size_t i = 0; i < done.messages.size(); ++i) {
    log_outcome(done.messages[i], done.outcomes[i]);
    count_unanswered(unanswered_ - 1);
    for (auto& reply : done.outcomes[i].messages)
      port_.post(std::move(reply));
    changed =
        changed || (done.outcomes[i].status == command_status::ok && done.outcomes[i].jobs_changed);
  }
  if (changed && after_change_) after_change_();
}

void dispatcher::count_unanswered(std::size_t now) {
  unanswered_ = now;
  if (report_unanswered_) report_unanswered_(now);
}

void dispatcher::log_outcome(const inbound_message& message, const command_outcome& outcome) {
  metrics_.count(message, outcome);
  if (outcome.status == command_status::ignored) return;
  // Who, where and what as fields: JSON logs can then be filtered by channel or user.
  const log_fields fields{{"platform", message.channel.platform},
                          {"channel", message.channel.channel},
                          {"user", message.author.id},
                          {"command", outcome.command}};
  switch (outcome.status) {
    case command_status::ignored:
      return;
    case command_status::ok:
      app_log()->debug("{}: ok", outcome.command);
      return;
    case command_status::rejected:
      app_log()->debug("{}: rejected", outcome.command);
      return;
    case command_status::failed:
      app_log()->error("{} failed in the store: {}", outcome.command, outcome.failure_detail);
      return;
  }
}

}  // namespace tweetup
