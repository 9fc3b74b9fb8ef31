// The wording of the bot: pure functions from state to text. User-typed text passes through
// displayable() here, and only here, on its way out.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/attendance.hpp"
#include "core/event.hpp"
#include "core/outbound_message.hpp"
#include "core/store_error.hpp"
#include "timeparse/parsed_time.hpp"

namespace date {
class time_zone;
}

namespace tweetup::replies {

// Everything a reply about one event needs to read it in its own zone.
struct event_view {
  const event& e;
  const date::time_zone& zone;
  std::chrono::sys_seconds now;
};

// "#3 Starbucks Alabaster"
std::string title(const event& e);
// "Sat 28 Nov, 3:00 PM CST (in 4 h 45 min)"
std::string when(const event_view& v);
// The instants when(v) words, for an outbound_message piece (relative: it says "in 4 h").
moment when_moment(const event& e);
// The instants format_span words, without the relative part.
moment span_moment(const event& e);
// "3 going, 5 spots left" / "8 going, full, 2 waiting" / "3 going". A partial `a` will do.
std::string counts(const attendance& a);
// "Assumed: PM; tomorrow, since that time has passed today; America/Chicago time." or ""
std::string assumptions(const timeparse::assumption_list& list, std::string_view zone_name);
// One line of `!tweetups`. A partial `a` will do.
std::string list_line(const event_view& v, const attendance& a);
// The `info` block: details and who answered what. Needs a full `a` (it names everyone).
std::string details(const event_view& v, const attendance& a);
// The line shown when the store failed; nothing of SQLite leaks into it.
std::string storage_trouble(store_failure failure);

}  // namespace tweetup::replies
