// Glue between an adapter and the core: each inbound message goes through the service at the
// clock's now, its outcome is logged here (the one place), and its replies are posted.
#pragma once

#include "core/chat_port.hpp"
#include "core/clock.hpp"
#include "core/gathering_service.hpp"

namespace tweetup {

class dispatcher {
 public:
  // All three must outlive the dispatcher.
  dispatcher(gathering_service& service, const clock& time, chat_port& port)
      : service_(service), clock_(time), port_(port) {}

  void on_message(const inbound_message& message);

 private:
  gathering_service& service_;
  const clock& clock_;
  chat_port& port_;
};

}  // namespace tweetup
