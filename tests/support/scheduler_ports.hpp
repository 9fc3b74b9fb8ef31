// Test doubles for the scheduler's ports: a clock the test moves by hand, and a chat port that
// records what is posted and settles each message's delivery as told.
#pragma once

#include <chrono>
#include <cstddef>
#include <utility>
#include <vector>

#include "core/chat_port.hpp"
#include "core/clock.hpp"

namespace tweetup::test {

struct settable_clock final : clock {
  explicit settable_clock(std::chrono::sys_seconds start) : at(start) {}
  std::chrono::sys_seconds at;
  std::chrono::sys_seconds now() const override { return at; }
};

// Delivers at once, as the console does, unless told to hold: then the test settles each
// message itself, as a network adapter would later.
struct recording_port final : chat_port {
  std::vector<outbound_message> posted;
  bool hold = false;
  void post(outbound_message m) override {
    posted.push_back(std::move(m));
    if (!hold && posted.back().on_settled) posted.back().on_settled(delivery::delivered);
  }
  void settle(std::size_t i, delivery how) { posted.at(i).on_settled(how); }
};

}  // namespace tweetup::test
