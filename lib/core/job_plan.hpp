// Which jobs an event needs, pure: the reminder plan.
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <vector>

#include "core/event.hpp"
#include "core/job.hpp"

namespace date {
class time_zone;
}

namespace tweetup {

struct plan_settings {
  std::span<const std::chrono::seconds> reminder_offsets;
  // Time of day (in `zone`) of the morning re-announcement; nullopt: none.
  std::optional<std::chrono::minutes> reannounce_at;
  const date::time_zone* zone = nullptr;  // the event's zone; required with reannounce_at
};

// The jobs of `e` as planned at `now`:
// - a reminder for each offset whose moment is still ahead (nobody gets a "24 h before"
//   reminder for an event 2 hours away); equal offsets are planned once;
// - a re-announcement at `reannounce_at` on the day of the start, when that is still ahead and
//   before the start;
// - "starting now" at the start;
// - marking it past at its end (the start plus default_event_length when it has no end).
// A cancelled or past event needs none. Jobs come back pending, in due order, ids unset.
std::vector<job> plan_jobs(const event& e, const plan_settings& settings,
                           std::chrono::sys_seconds now);

}  // namespace tweetup
