#include "core/attendance.hpp"

#include <algorithm>
#include <utility>

namespace tweetup {

attendance::attendance(std::int64_t event_id, std::optional<int> capacity, std::vector<rsvp> rsvps)
    : event_id_(event_id), capacity_(capacity), rsvps_(std::move(rsvps)) {
  std::stable_sort(rsvps_.begin(), rsvps_.end(),
                   [](const rsvp& a, const rsvp& b) { return a.queue_order < b.queue_order; });
}

int attendance::seats_taken() const {
  int seats = 0;
  for (const auto& r : rsvps_) {
    if (r.status == rsvp_status::going) seats += r.seats();
  }
  return seats;
}

std::optional<int> attendance::seats_left() const {
  if (!capacity_) return std::nullopt;
  return std::max(0, *capacity_ - seats_taken());
}

bool attendance::fits(int seats) const {
  return !capacity_ || seats_taken() + seats <= *capacity_;
}

bool attendance::anyone_waiting() const {
  return std::any_of(rsvps_.begin(), rsvps_.end(),
                     [](const rsvp& r) { return r.status == rsvp_status::waitlisted; });
}

std::int64_t attendance::next_queue_order() const {
  return rsvps_.empty() ? 1 : rsvps_.back().queue_order + 1;
}

const rsvp* attendance::find(std::string_view user_id) const {
  auto it = std::find_if(rsvps_.begin(), rsvps_.end(),
                         [&](const rsvp& r) { return r.user.id == user_id; });
  return it == rsvps_.end() ? nullptr : &*it;
}

rsvp* attendance::find_mutable(std::string_view user_id) {
  return const_cast<rsvp*>(std::as_const(*this).find(user_id));
}

int attendance::waitlist_position(std::string_view user_id) const {
  int position = 0;
  for (const auto& r : rsvps_) {
    if (r.status != rsvp_status::waitlisted) continue;
    ++position;
    if (r.user.id == user_id) return position;
  }
  return 0;
}

std::vector<rsvp> attendance::with_status(rsvp_status status) const {
  std::vector<rsvp> out;
  for (const auto& r : rsvps_) {
    if (r.status == status) out.push_back(r);
  }
  return out;
}

rsvp& attendance::upsert(const user_ref& user) {
  if (rsvp* existing = find_mutable(user.id)) {
    existing->user = user;  // keep the display name fresh
    return *existing;
  }
  rsvps_.push_back(rsvp{event_id_, user, rsvp_status::declined, 0, next_queue_order()});
  return rsvps_.back();
}

void attendance::promote(rsvp_change& change) {
  for (auto& r : rsvps_) {
    if (r.status != rsvp_status::waitlisted) continue;
    if (!fits(r.seats())) break;  // strict FIFO: nobody jumps the head of the queue
    r.status = rsvp_status::going;
    change.changed.push_back(r);
    change.promoted.push_back(r);
  }
}

rsvp_change attendance::join(const user_ref& user, int guests) {
  rsvp_change change;
  rsvp* existing = find_mutable(user.id);
  if (existing && existing->status == rsvp_status::going) {
    if (existing->guests == guests) return {rsvp_outcome::already_going, {}, {}};
    const int extra = guests - existing->guests;
    if (extra > 0 && !fits(extra)) return {rsvp_outcome::no_room_for_guests, {}, {}};
    existing->guests = guests;
    existing->user = user;
    change.outcome = rsvp_outcome::guests_changed;
    change.changed.push_back(*existing);
    promote(change);  // fewer guests may free seats
    return change;
  }
  if (existing && existing->status == rsvp_status::waitlisted) {
    if (existing->guests == guests) return {rsvp_outcome::already_waitlisted, {}, {}};
    existing->guests = guests;
    existing->user = user;
    change.outcome = rsvp_outcome::guests_changed;
    change.changed.push_back(*existing);
    promote(change);  // a smaller party at the head may fit now
    return change;
  }

  const bool seat_now = !anyone_waiting() && fits(1 + guests);
  const std::int64_t order = next_queue_order();
  rsvp& r = upsert(user);
  r.guests = guests;
  r.queue_order = order;  // (re)joining puts you at the back of the line
  r.status = seat_now ? rsvp_status::going : rsvp_status::waitlisted;
  std::stable_sort(rsvps_.begin(), rsvps_.end(),
                   [](const rsvp& a, const rsvp& b) { return a.queue_order < b.queue_order; });
  change.outcome = seat_now ? rsvp_outcome::going : rsvp_outcome::waitlisted;
  change.changed.push_back(*find(user.id));
  return change;
}

rsvp_change attendance::maybe(const user_ref& user) {
  rsvp_change change;
  rsvp* existing = find_mutable(user.id);
  if (existing && existing->status == rsvp_status::maybe) {
    return {rsvp_outcome::already_maybe, {}, {}};
  }
  rsvp& r = existing ? *existing : upsert(user);
  r.user = user;
  r.status = rsvp_status::maybe;
  r.guests = 0;
  change.outcome = rsvp_outcome::maybe;
  change.changed.push_back(r);
  promote(change);
  return change;
}

rsvp_change attendance::leave(const user_ref& user) {
  rsvp* existing = find_mutable(user.id);
  if (!existing || existing->status == rsvp_status::declined) {
    return {rsvp_outcome::not_joined, {}, {}};
  }
  rsvp_change change;
  existing->user = user;
  existing->status = rsvp_status::declined;
  existing->guests = 0;
  change.outcome = rsvp_outcome::declined;
  change.changed.push_back(*existing);
  promote(change);
  return change;
}

rsvp_change attendance::set_capacity(std::optional<int> capacity) {
  capacity_ = capacity;
  rsvp_change change;
  promote(change);
  return change;
}

}  // namespace tweetup
