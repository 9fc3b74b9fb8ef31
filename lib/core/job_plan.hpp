// Which jobs an event needs, pure: the reminder plan.
#pragma once

#include <chrono>
#include <span>
#include <vector>

#include "core/event.hpp"
#include "core/job.hpp"

namespace tweetup {

// The jobs of `e` as planned at `now`:
// - a reminder for each offset whose moment is still ahead (nobody gets a "24 h before"
//   reminder for an event 2 hours away); equal offsets are planned once;
// - "starting now" at the start;
// - marking it past at its end (the start plus default_event_length when it has no end).
// A cancelled or past event needs none. Jobs come back pending, in due order, ids unset.
std::vector<job> plan_jobs(const event& e, std::span<const std::chrono::seconds> reminder_offsets,
                           std::chrono::sys_seconds now);

}  // namespace tweetup
