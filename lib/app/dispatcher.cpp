#include "app/dispatcher.hpp"

#include "app/logging.hpp"

namespace tweetup {

void dispatcher::on_message(const inbound_message& message) {
  command_outcome outcome = service_.handle(message, clock_.now());
  metrics_.count(message, outcome);
  switch (outcome.status) {
    case command_status::ignored:
      return;
    case command_status::ok:
      app_log()->debug("{} by {} in {}:{}: ok", outcome.command, message.author.id,
                       message.channel.platform, message.channel.channel);
      break;
    case command_status::rejected:
      app_log()->debug("{} by {} in {}:{}: rejected", outcome.command, message.author.id,
                       message.channel.platform, message.channel.channel);
      break;
    case command_status::failed:
      app_log()->error("{} by {} in {}:{} failed in the store: {}", outcome.command,
                       message.author.id, message.channel.platform, message.channel.channel,
                       outcome.failure_detail);
      break;
  }
  for (auto& reply : outcome.messages)
    port_.post(std::move(reply));
  if (outcome.status == command_status::ok && after_change_) after_change_();
}

}  // namespace tweetup
