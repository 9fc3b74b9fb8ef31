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
#include <string_view>
#include <vector>

#include "core/rsvp.hpp"

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
  attendance(std::int64_t event_id, std::optional<int> capacity, std::vector<rsvp> rsvps);

  rsvp_change join(const user_ref& user, int guests);
  rsvp_change maybe(const user_ref& user);
  rsvp_change leave(const user_ref& user);
  // Raising the capacity (or removing it) promotes from the waitlist; the result's `changed`
  // holds only those promotions.
  rsvp_change set_capacity(std::optional<int> capacity);

  int seats_taken() const;
  std::optional<int> seats_left() const;  // nullopt without a capacity; 0 when full or over
  std::optional<int> capacity() const { return capacity_; }
  // 1-based position on the waitlist, or 0 when not waiting.
  int waitlist_position(std::string_view user_id) const;
  const rsvp* find(std::string_view user_id) const;
  // RSVPs with this status, in queue order.
  std::vector<rsvp> with_status(rsvp_status status) const;
  const std::vector<rsvp>& all() const { return rsvps_; }

 private:
  rsvp* find_mutable(std::string_view user_id);
  bool fits(int seats) const;
  bool anyone_waiting() const;
  std::int64_t next_queue_order() const;
  rsvp& upsert(const user_ref& user);
  // Promotes waiting parties in order while they fit; appends them to `change`.
  void promote(rsvp_change& change);

  std::int64_t event_id_;
  std::optional<int> capacity_;
  std::vector<rsvp> rsvps_;  // kept sorted by queue_order
};

}  // namespace tweetup
