// Glue between an adapter and the core: each inbound message goes through the service at the
// clock's now, its outcome is logged here (the one place) and counted, and its replies are posted.
#pragma once

#include <functional>

#include "app/command_metrics.hpp"
#include "core/chat_port.hpp"
#include "core/clock.hpp"
#include "core/gathering_service.hpp"

namespace tweetup {

class dispatcher {
 public:
  // All three must outlive the dispatcher. `after_change` runs after every command that
  // succeeded (the scheduler's wake-up: the plan may have changed).
  dispatcher(gathering_service& service, const clock& time, chat_port& port,
             std::function<void()> after_change = {})
      : service_(service), clock_(time), port_(port), after_change_(std::move(after_change)) {}

  void on_message(const inbound_message& message);

 private:
  gathering_service& service_;
  const clock& clock_;
  chat_port& port_;
  std::function<void()> after_change_;
  command_metrics metrics_;
};

}  // namespace tweetup
