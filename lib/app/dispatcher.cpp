#include "app/dispatcher.hpp"

#include <boost/asio/post.hpp>

#include "app/logging.hpp"
#include "core/store_error.hpp"
#include "logging/log_fields.hpp"

namespace tweetup {

dispatcher::dispatcher(async::executor ex, gathering_service& service, event_store& store,
                       const clock& time, chat_port& port, std::function<void()> after_change)
    : ex_(std::move(ex)),
      service_(service),
      store_(store),
      clock_(time),
      port_(port),
      after_change_(std::move(after_change)),
      self_(std::make_shared<dispatcher*>(this)) {
  queue_.reserve(max_batch);
}

dispatcher::~dispatcher() = default;

void dispatcher::on_message(const inbound_message& message) {
  queue_.push_back(message);
  if (message.replies_inline || queue_.size() >= max_batch) {
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
  std::vector<inbound_message> batch;
  batch.swap(queue_);
  queue_.reserve(max_batch);
  std::vector<command_outcome> outcomes;
  outcomes.reserve(batch.size());
  try {
    store_.transact([&] {
      for (const auto& message : batch)
        outcomes.push_back(service_.handle(message, clock_.now()));
    });
  } catch (const store_error& e) {
    for (std::size_t i = 0; i < outcomes.size(); ++i)
      outcomes[i] = gathering_service::commit_failed(batch[i], std::move(outcomes[i]), e);
    // Messages the batch never reached (BEGIN itself failed: a read-only or busy database) go
    // one by one, as without batching: read-only commands still answer, the rest say why not.
    for (std::size_t i = outcomes.size(); i < batch.size(); ++i)
      outcomes.push_back(service_.handle(batch[i], clock_.now()));
  }
  app_log()->debug("group commit: {} messages", batch.size());
  ++stats_.batches;
  stats_.messages += batch.size();
  bool changed = false;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    log_outcome(batch[i], outcomes[i]);
    for (auto& reply : outcomes[i].messages)
      port_.post(std::move(reply));
    changed = changed || outcomes[i].status == command_status::ok;
  }
  if (changed && after_change_) after_change_();
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
