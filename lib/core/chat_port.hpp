// The chat port: how the core's replies leave the process. Adapters implement it.
//
// `post` never blocks and never fails in the caller: the adapter queues the message and owns
// delivery, retries and their logging from then on.
#pragma once

#include "core/outbound_message.hpp"

namespace tweetup {

class chat_port {
 public:
  virtual ~chat_port() = default;
  virtual void post(outbound_message message) = 0;
};

}  // namespace tweetup
