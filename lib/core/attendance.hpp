// The RSVP rules of one event, pure: who is going, who waits, and who moves up when a seat frees.
//
// Rules:
// - Going takes 1 + guests seats. With a capacity, a party that does not fit joins the waitlist.
// - The waitlist is strictly first come, first served: when seats free up, parties are promoted
//   in queue order while the next one fits, and nobody jumps a party that does not fit yet.
//   Newcomers also queue while anyone is waiting, so the order is always the order of arrival.
// - Lowering the capacity never removes anyone who is going; new joins wait until there is room.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/rsvp.hpp"
#include "core/rsvp_slice.hpp"

namespace tweetup {

enum class rsvp_outcome {
  going,           // now going (newly, or back from maybe/can't go)
  waitlisted,      // no room: placed on the waitlist
  guests_changed,  // already going or waiting; the +N changed
  already_going,   // nothing changed
  already_waitlisted,
  already_maybe,
  maybe,               // now maybe
  declined,            // now can't go
  not_joined,          // leaving without having answered: nothing changed
  no_room_for_guests,  // going already; the bigger party does not fit: nothing changed
};

struct rsvp_change {
  rsvp_outcome outcome = rsvp_outcome::going;
  std::vector<rsvp> changed;   // every RSVP to save, the actor's first; empty when nothing changed
  std::vector<rsvp> promoted;  // the parties moved from the waitlist to going, in order
};

class attendance {
 public:
  // From every RSVP of the event, in any order.
  attendance(std::int64_t event_id, std::optional<int> capacity, std::vector<rsvp> rsvps);
  // Partial: from a slice (core/rsvp_slice.hpp), so a command costs its waitlist rather than
  // every RSVP. It decides join/maybe/leave for slice.user_id (or anyone waiting) and
  // set_capacity exactly as the full one would, and keeps the tallies up to date, so the seats,
  // counts, waitlist and find() of that user stay right. What needs rows it does not hold
  // throws std::logic_error instead of answering from part of them: all(), with_status() of
  // anything but waitlisted, and find() or an RSVP of someone else who is not waiting. Throws
  // std::logic_error too when the slice contradicts itself (its waiting count and waitlist).
  attendance(std::optional<int> capacity, rsvp_slice slice);

  rsvp_change join(const user_ref& user, int guests);
  rsvp_change maybe(const user_ref& user);
  rsvp_change leave(const user_ref& user);
  // Raising the capacity (or removing it) promotes from the waitlist; the result's `changed`
  // holds only those promotions.
  rsvp_change set_capacity(std::optional<int> capacity);

  bool partial() const { return partial_; }
  int seats_taken() const { return tallies_.going_seats; }  // guests included
  std::optional<int> seats_left() const;  // nullopt without a capacity; 0 when full or over
  std::optional<int> capacity() const { return capacity_; }
  int maybe_count() const { return tallies_.maybe; }
  int waiting_count() const { return tallies_.waiting; }
  // 1-based position on the waitlist, or 0 when not waiting.
  int waitlist_position(std::string_view user_id) const;
  const rsvp* find(std::string_view user_id) const;
  // RSVPs with this status, in queue order.
  std::vector<rsvp> with_status(rsvp_status status) const;
  // Every RSVP, in queue order.
  const std::vector<rsvp>& all() const;

 private:
  rsvp* find_mutable(std::string_view user_id);
  bool fits(int seats) const;
  bool anyone_waiting() const { return tallies_.waiting > 0; }
  std::int64_t next_queue_order() const;
  rsvp& upsert(const user_ref& user);
  // Every change of a row's status or guests goes through here, to keep the tallies true.
  void set(rsvp& r, rsvp_status status, int guests);
  // Moves `r`, which has just taken the highest queue order, to the back: the rows stay in
  // queue order without sorting them all again.
  rsvp& move_to_back(rsvp& r);
  // Promotes waiting parties in order while they fit; appends them to `change`.
  void promote(rsvp_change& change);

  std::int64_t event_id_;
  std::optional<int> capacity_;
  // Kept sorted by queue_order. Every row, or in a partial one: the actor's row and the
  // waitlist as it was loaded (rows leave it only by changing status, never by removal).
  std::vector<rsvp> rsvps_;
  rsvp_tallies tallies_;  // over every RSVP of the event, held or not
  bool partial_ = false;
  std::string actor_id_;  // partial: the user whose row it holds, waiting or not
};

}  // namespace tweetup
