// A chat port that counts what the bot posts (tweetup_messages_sent_total{adapter}) and hands
// it on: replies from the dispatcher and the scheduler's reminders and notices both pass here.
//
// Ownership: keeps a reference to `inner`, which must outlive it. Threading: the io thread.
#pragma once

#include <string_view>

#include "core/chat_port.hpp"
#include "metrics/bot_metrics.hpp"

namespace tweetup {

class counting_chat_port final : public chat_port {
 public:
  counting_chat_port(chat_port& inner, std::string_view adapter)
      : inner_(inner), sent_(metrics::bot_metrics::get().messages_sent.with({adapter})) {}

  void post(outbound_message message) override {
    sent_.inc();
    inner_.post(std::move(message));
  }

 private:
  chat_port& inner_;
  metrics::counter& sent_;
};

}  // namespace tweetup
