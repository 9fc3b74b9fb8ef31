#include "app/command_metrics.hpp"

#include "core/command_spec.hpp"
#include "metrics/bot_metrics.hpp"

namespace tweetup {
namespace {

std::array<metrics::counter*, 3> outcomes_of(std::string_view command) {
  auto& family = metrics::bot_metrics::get().commands;
  return {&family.with({command, "ok"}), &family.with({command, "rejected"}),
          &family.with({command, "failed"})};
}

}  // namespace

command_metrics::command_metrics() : other_(outcomes_of("other")) {
  for (const auto& spec : command_specs())
    commands_.emplace(spec.name, outcomes_of(spec.name));
}

void command_metrics::count(const inbound_message& message, const command_outcome& outcome) {
  if (received_ == nullptr || message.channel.platform != platform_) {
    platform_ = message.channel.platform;
    received_ = &metrics::bot_metrics::get().messages_received.with({platform_});
  }
  received_->inc();

  std::size_t column = 0;
  switch (outcome.status) {
    case command_status::ignored:
      return;
    case command_status::ok:
      column = 0;
      break;
    case command_status::rejected:
      column = 1;
      break;
    case command_status::failed:
      column = 2;
      break;
  }
  const auto found = commands_.find(outcome.command);
  (found != commands_.end() ? found->second : other_)[column]->inc();
}

}  // namespace tweetup
