// The part of an event's RSVPs that one user's RSVP needs: the event's tallies, that user's own
// row, and the waitlist. A store answers it without reading every RSVP of the event, so joining
// a big event costs the size of its waitlist, not of its guest list (see attendance).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/rsvp.hpp"

namespace tweetup {

// Aggregates over every RSVP of one event.
struct rsvp_tallies {
  int going_seats = 0;                // seats taken by `going` parties, guests included
  int maybe = 0;                      // RSVPs that are `maybe`
  int waiting = 0;                    // RSVPs that are `waitlisted`
  std::int64_t last_queue_order = 0;  // the highest queue_order of any RSVP; 0 when none

  // Adds (sign 1) or takes away (sign -1) the row's part of the counts; last_queue_order is
  // the caller's to keep.
  void count(const rsvp& r, int sign);

  bool operator==(const rsvp_tallies&) const = default;
};

struct rsvp_slice {
  std::int64_t event_id = 0;
  std::string user_id;  // whose row `own` is
  rsvp_tallies tallies;
  std::optional<rsvp> own;     // that user's RSVP of any status; none when they never answered
  std::vector<rsvp> waitlist;  // every `waitlisted` RSVP, in queue order (own included)
};

// The slice computed from every RSVP of the event (in queue order, as rsvps_of returns them):
// for a store without an aggregate query, and for tests that compare with a store's answer.
rsvp_slice make_rsvp_slice(std::int64_t event_id, const std::vector<rsvp>& all,
                           std::string_view user_id);

}  // namespace tweetup
