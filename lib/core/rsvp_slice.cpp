#include "core/rsvp_slice.hpp"

namespace tweetup {

rsvp_slice make_rsvp_slice(std::int64_t event_id, const std::vector<rsvp>& all,
                           std::string_view user_id) {
  rsvp_slice slice;
  slice.event_id = event_id;
  slice.user_id = std::string(user_id);
  for (const auto& r : all) {
    switch (r.status) {
      case rsvp_status::going:
        slice.tallies.going_seats += r.seats();
        break;
      case rsvp_status::maybe:
        ++slice.tallies.maybe;
        break;
      case rsvp_status::waitlisted:
        ++slice.tallies.waiting;
        slice.waitlist.push_back(r);
        break;
      case rsvp_status::declined:
        break;
    }
    // Like SQL's max(): the first row counts even when its order is not above 0.
    if (&r == &all.front() || r.queue_order > slice.tallies.last_queue_order) {
      slice.tallies.last_queue_order = r.queue_order;
    }
    if (r.user.id == user_id) slice.own = r;
  }
  return slice;
}

}  // namespace tweetup
