#include "core/rsvp_slice.hpp"

namespace tweetup {

void rsvp_tallies::count(const rsvp& r, int sign) {
  switch (r.status) {
    case rsvp_status::going:
      going_seats += sign * r.seats();
      break;
    case rsvp_status::maybe:
      maybe += sign;
      break;
    case rsvp_status::waitlisted:
      waiting += sign;
      break;
    case rsvp_status::declined:
      break;
  }
}

rsvp_slice make_rsvp_slice(std::int64_t event_id, const std::vector<rsvp>& all,
                           std::string_view user_id) {
  rsvp_slice slice;
  slice.event_id = event_id;
  slice.user_id = std::string(user_id);
  for (const auto& r : all) {
    slice.tallies.count(r, 1);
    if (r.status == rsvp_status::waitlisted) slice.waitlist.push_back(r);
    // Like SQL's max(): the first row counts even when its order is not above 0.
    if (&r == &all.front() || r.queue_order > slice.tallies.last_queue_order) {
      slice.tallies.last_queue_order = r.queue_order;
    }
    if (r.user.id == user_id) slice.own = r;
  }
  return slice;
}

}  // namespace tweetup
