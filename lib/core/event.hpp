// A tweetup: an informal meetup at a place and time, announced in one channel.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "core/channel_ref.hpp"
#include "core/user_ref.hpp"

namespace tweetup {

enum class event_status { scheduled, cancelled, past };

// How long an event is taken to last when nobody said (reminders and "past" use it).
inline constexpr std::chrono::hours default_event_length{2};

struct event {
  std::int64_t id = 0;  // store-wide key, assigned by the store; never shown to users
  int number = 0;       // per channel, assigned by the store: what people type ("!join 3")
  channel_ref channel;
  user_ref organizer;
  std::string place;  // exactly as typed (minus the time phrase); sanitized only when shown
  std::chrono::sys_seconds starts_at;
  std::optional<std::chrono::sys_seconds> ends_at;
  std::string zone;  // the channel's IANA zone when created; the wall clock people read it in
  std::optional<int> capacity;  // seats, counting guests; nullopt means no limit
  event_status status = event_status::scheduled;
  std::chrono::sys_seconds created_at;
  int revision = 0;  // bumped on every change people should hear about (move, place, cancel)

  std::chrono::sys_seconds effective_end() const {
    return ends_at.value_or(starts_at + default_event_length);
  }
  // Scheduled and not over yet at `now`: the only state in which RSVPs change.
  bool is_open(std::chrono::sys_seconds now) const {
    return status == event_status::scheduled && effective_end() > now;
  }
};

}  // namespace tweetup
