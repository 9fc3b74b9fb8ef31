#include "core/attendance.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace tweetup {
namespace {

bool earlier(const rsvp& a, const rsvp& b) {
  return a.queue_order < b.queue_order;
}

// Stores hand rows over in queue order already; checking costs one pass, sorting n log n.
void sort_by_queue_order(std::vector<rsvp>& rows) {
  if (!std::is_sorted(rows.begin(), rows.end(), earlier)) {
    std::stable_sort(rows.begin(), rows.end(), earlier);
  }
}

}  // namespace

attendance::attendance(std::int64_t event_id, std::optional<int> capacity, std::vector<rsvp> rsvps)
    : event_id_(event_id), capacity_(capacity), rsvps_(std::move(rsvps)) {
  sort_by_queue_order(rsvps_);
  for (const auto& r : rsvps_)
    tallies_.count(r, 1);
  if (!rsvps_.empty()) tallies_.last_queue_order = rsvps_.back().queue_order;
}

attendance::attendance(std::optional<int> capacity, rsvp_slice slice)
    : event_id_(slice.event_id),
      capacity_(capacity),
      rsvps_(std::move(slice.waitlist)),
      tallies_(slice.tallies),
      partial_(true),
      actor_id_(std::move(slice.user_id)) {
  // Promotions and waitlist positions are only right with the whole waitlist in hand.
  const bool all_waiting = std::all_of(rsvps_.begin(), rsvps_.end(), [](const rsvp& r) {
    return r.status == rsvp_status::waitlisted;
  });
  if (!all_waiting || static_cast<int>(rsvps_.size()) != tallies_.waiting) {
    throw std::logic_error("attendance: the slice's waitlist does not match its waiting count");
  }
  sort_by_queue_order(rsvps_);
  if (!slice.own) return;
  if (slice.own->user.id != actor_id_) {
    throw std::logic_error("attendance: the slice's own RSVP is someone else's");
  }
  if (slice.own->status == rsvp_status::waitlisted) {
    if (!find(actor_id_)) {
      throw std::logic_error("attendance: the slice's own RSVP waits but is not on its waitlist");
    }
    return;
  }
  rsvps_.insert(std::upper_bound(rsvps_.begin(), rsvps_.end(), *slice.own, earlier),
                std::move(*slice.own));
}

std::optional<int> attendance::seats_left() const {
  if (!capacity_) return std::nullopt;
  return std::max(0, *capacity_ - seats_taken());
}

bool attendance::fits(int seats) const {
  return !capacity_ || seats_taken() + seats <= *capacity_;
}

std::int64_t attendance::next_queue_order() const {
  return tallies_.last_queue_order + 1;
}

const rsvp* attendance::find(std::string_view user_id) const {
  auto it = std::find_if(rsvps_.begin(), rsvps_.end(),
                         [&](const rsvp& r) { return r.user.id == user_id; });
  if (it != rsvps_.end()) return &*it;
  // Someone who is neither waiting nor the actor may well be going: "no RSVP" would be a lie.
  if (partial_ && user_id != actor_id_) {
    throw std::logic_error("attendance: a partial attendance does not hold that user's RSVP");
  }
  return nullptr;
}

rsvp* attendance::find_mutable(std::string_view user_id) {
  return const_cast<rsvp*>(std::as_const(*this).find(user_id));
}

int attendance::waitlist_position(std::string_view user_id) const {
  if (!anyone_waiting()) return 0;
  int position = 0;
  for (const auto& r : rsvps_) {
    if (r.status != rsvp_status::waitlisted) continue;
    ++position;
    if (r.user.id == user_id) return position;
  }
  return 0;
}

std::vector<rsvp> attendance::with_status(rsvp_status status) const {
  if (partial_ && status != rsvp_status::waitlisted) {
    throw std::logic_error("attendance: a partial attendance holds only the waitlist's RSVPs");
  }
  std::vector<rsvp> out;
  for (const auto& r : rsvps_) {
    if (r.status == status) out.push_back(r);
  }
  return out;
}

const std::vector<rsvp>& attendance::all() const {
  if (partial_) throw std::logic_error("attendance: a partial attendance does not hold every RSVP");
  return rsvps_;
}

void attendance::set(rsvp& r, rsvp_status status, int guests) {
  tallies_.count(r, -1);
  r.status = status;
  r.guests = guests;
  tallies_.count(r, 1);
}

rsvp& attendance::move_to_back(rsvp& r) {
  const auto it = rsvps_.begin() + (&r - rsvps_.data());
  std::rotate(it, it + 1, rsvps_.end());
  return rsvps_.back();
}

rsvp& attendance::upsert(const user_ref& user) {
  if (rsvp* existing = find_mutable(user.id)) {
    existing->user = user;  // keep the display name fresh
    return *existing;
  }
  const std::int64_t order = next_queue_order();
  rsvps_.push_back(rsvp{event_id_, user, rsvp_status::declined, 0, order});
  tallies_.last_queue_order = order;
  return rsvps_.back();
}

void attendance::promote(rsvp_change& change) {
  if (!anyone_waiting()) return;
  for (auto& r : rsvps_) {
    if (r.status != rsvp_status::waitlisted) continue;
    if (!fits(r.seats())) break;  // strict FIFO: nobody jumps the head of the queue
    set(r, rsvp_status::going, r.guests);
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
    existing->user = user;
    set(*existing, rsvp_status::going, guests);
    change.outcome = rsvp_outcome::guests_changed;
    change.changed.push_back(*existing);
    promote(change);  // fewer guests may free seats
    return change;
  }
  if (existing && existing->status == rsvp_status::waitlisted) {
    if (existing->guests == guests) return {rsvp_outcome::already_waitlisted, {}, {}};
    existing->user = user;
    set(*existing, rsvp_status::waitlisted, guests);
    change.outcome = rsvp_outcome::guests_changed;
    change.changed.push_back(*existing);
    promote(change);  // a smaller party at the head may fit now
    return change;
  }

  const bool seat_now = !anyone_waiting() && fits(1 + guests);
  const std::int64_t order = next_queue_order();
  rsvp& r = upsert(user);
  r.queue_order = order;  // (re)joining puts you at the back of the line
  tallies_.last_queue_order = order;
  set(r, seat_now ? rsvp_status::going : rsvp_status::waitlisted, guests);
  change.outcome = seat_now ? rsvp_outcome::going : rsvp_outcome::waitlisted;
  change.changed.push_back(move_to_back(r));
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
  set(r, rsvp_status::maybe, 0);
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
  set(*existing, rsvp_status::declined, 0);
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
