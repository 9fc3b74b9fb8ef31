// One person's answer to one event.
#pragma once

#include <cstdint>

#include "core/user_ref.hpp"

namespace tweetup {

enum class rsvp_status { going, maybe, declined, waitlisted };

struct rsvp {
  std::int64_t event_id = 0;
  user_ref user;
  rsvp_status status = rsvp_status::going;
  int guests = 0;  // +N people they bring; they take seats too
  // Order of arrival, increasing per event. The waitlist is served in this order (FIFO), so it
  // is set anew whenever someone enters the waitlist and never changes while they wait.
  std::int64_t queue_order = 0;

  int seats() const { return 1 + guests; }
};

}  // namespace tweetup
