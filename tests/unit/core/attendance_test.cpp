#include "core/attendance.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace tweetup;

namespace {

user_ref user(const std::string& id) {
  return {id, id + "_name"};
}

std::vector<std::string> ids(const std::vector<rsvp>& list) {
  std::vector<std::string> out;
  for (const auto& r : list)
    out.push_back(r.user.id);
  return out;
}

using names = std::vector<std::string>;

}  // namespace

TEST_CASE("attendance: going without a capacity") {
  attendance a(7, std::nullopt, {});
  const auto change = a.join(user("ann"), 0);
  CHECK(change.outcome == rsvp_outcome::going);
  REQUIRE(change.changed.size() == 1);
  CHECK(change.changed[0].event_id == 7);
  CHECK(change.changed[0].user.id == "ann");
  CHECK(change.changed[0].status == rsvp_status::going);
  CHECK(change.changed[0].guests == 0);
  CHECK(change.promoted.empty());
  CHECK(a.seats_taken() == 1);
  CHECK_FALSE(a.seats_left().has_value());

  CHECK(a.join(user("bob"), 3).outcome == rsvp_outcome::going);
  CHECK(a.seats_taken() == 5);
  CHECK(a.find("bob")->guests == 3);
  CHECK(a.find("nobody") == nullptr);
}

TEST_CASE("attendance: joining twice is already_going and changes nothing") {
  attendance a(1, 5, {});
  a.join(user("ann"), 1);
  const auto again = a.join(user("ann"), 1);
  CHECK(again.outcome == rsvp_outcome::already_going);
  CHECK(again.changed.empty());
  CHECK(again.promoted.empty());
  CHECK(a.seats_taken() == 2);
}

TEST_CASE("attendance: guests count against the capacity") {
  attendance a(1, 4, {});
  CHECK(a.join(user("ann"), 2).outcome == rsvp_outcome::going);  // 3 seats
  CHECK(a.seats_left() == 1);
  CHECK(a.join(user("bob"), 1).outcome == rsvp_outcome::waitlisted);  // needs 2, 1 left
  CHECK(a.seats_taken() == 3);
  CHECK(a.waitlist_position("bob") == 1);
  CHECK(a.join(user("cat"), 0).outcome == rsvp_outcome::waitlisted);  // fits, but bob waits
  CHECK(a.waitlist_position("cat") == 2);
  CHECK(a.seats_left() == 1);
}

TEST_CASE("attendance: maybe and leave") {
  attendance a(1, std::nullopt, {});
  a.join(user("ann"), 2);
  const auto m = a.maybe(user("ann"));
  CHECK(m.outcome == rsvp_outcome::maybe);
  REQUIRE(m.changed.size() == 1);
  CHECK(m.changed[0].status == rsvp_status::maybe);
  CHECK(m.changed[0].guests == 0);
  CHECK(a.seats_taken() == 0);
  CHECK(a.maybe(user("ann")).outcome == rsvp_outcome::already_maybe);

  const auto l = a.leave(user("ann"));
  CHECK(l.outcome == rsvp_outcome::declined);
  REQUIRE(l.changed.size() == 1);
  CHECK(l.changed[0].status == rsvp_status::declined);
  CHECK(a.leave(user("ann")).outcome == rsvp_outcome::not_joined);

  const auto fresh_maybe = a.maybe(user("bob"));
  CHECK(fresh_maybe.outcome == rsvp_outcome::maybe);
  CHECK(a.find("bob")->status == rsvp_status::maybe);
}

TEST_CASE("attendance: leaving without having joined is not_joined") {
  attendance a(1, 3, {});
  const auto change = a.leave(user("ann"));
  CHECK(change.outcome == rsvp_outcome::not_joined);
  CHECK(change.changed.empty());
  CHECK(a.all().empty());
}

TEST_CASE("attendance: the waitlist is promoted in FIFO order when someone leaves") {
  attendance a(1, 2, {});
  a.join(user("ann"), 0);
  a.join(user("bob"), 0);
  CHECK(a.join(user("cat"), 0).outcome == rsvp_outcome::waitlisted);
  CHECK(a.join(user("dan"), 0).outcome == rsvp_outcome::waitlisted);
  CHECK(ids(a.with_status(rsvp_status::waitlisted)) == names{"cat", "dan"});

  const auto change = a.leave(user("bob"));
  CHECK(change.outcome == rsvp_outcome::declined);
  CHECK(ids(change.promoted) == names{"cat"});
  REQUIRE(change.changed.size() == 2);
  CHECK(change.changed[0].user.id == "bob");  // the actor first
  CHECK(change.changed[1].user.id == "cat");
  CHECK(change.changed[1].status == rsvp_status::going);
  CHECK(ids(a.with_status(rsvp_status::going)) == names{"ann", "cat"});
  CHECK(a.waitlist_position("dan") == 1);
}

TEST_CASE("attendance: promotion on maybe") {
  attendance a(1, 1, {});
  a.join(user("ann"), 0);
  a.join(user("bob"), 0);
  const auto change = a.maybe(user("ann"));
  CHECK(ids(change.promoted) == names{"bob"});
  CHECK(a.find("bob")->status == rsvp_status::going);
}

TEST_CASE("attendance: promotion when a party brings fewer guests") {
  attendance a(1, 3, {});
  a.join(user("ann"), 2);  // 3 seats, full
  a.join(user("bob"), 1);  // waits, needs 2
  const auto change = a.join(user("ann"), 0);
  CHECK(change.outcome == rsvp_outcome::guests_changed);
  CHECK(ids(change.promoted) == names{"bob"});
  CHECK(a.seats_taken() == 3);
  CHECK(a.seats_left() == 0);
}

TEST_CASE("attendance: more guests than fit is refused and nothing changes") {
  attendance a(1, 3, {});
  a.join(user("ann"), 1);
  const auto change = a.join(user("ann"), 2);  // 2 seats to 3: fits exactly
  CHECK(change.outcome == rsvp_outcome::guests_changed);
  const auto too_many = a.join(user("ann"), 3);
  CHECK(too_many.outcome == rsvp_outcome::no_room_for_guests);
  CHECK(too_many.changed.empty());
  CHECK(a.find("ann")->guests == 2);
}

TEST_CASE("attendance: a waiting party that shrinks may be promoted") {
  attendance a(1, 3, {});
  a.join(user("ann"), 1);  // 2 seats
  CHECK(a.join(user("bob"), 2).outcome == rsvp_outcome::waitlisted);
  CHECK(a.join(user("bob"), 2).outcome == rsvp_outcome::already_waitlisted);
  const auto change = a.join(user("bob"), 0);
  CHECK(change.outcome == rsvp_outcome::guests_changed);
  CHECK(ids(change.promoted) == names{"bob"});
  CHECK(a.seats_taken() == 3);
}

TEST_CASE("attendance: raising or removing the capacity promotes in order") {
  attendance a(1, 1, {});
  a.join(user("ann"), 0);
  a.join(user("bob"), 0);
  a.join(user("cat"), 1);
  a.join(user("dan"), 0);

  const auto raised = a.set_capacity(3);
  CHECK(ids(raised.promoted) == names{"bob"});  // cat needs 2 seats, only 1 left: blocks dan
  CHECK(ids(raised.changed) == names{"bob"});
  CHECK(a.capacity() == 3);
  CHECK(ids(a.with_status(rsvp_status::waitlisted)) == names{"cat", "dan"});

  const auto removed = a.set_capacity(std::nullopt);
  CHECK(ids(removed.promoted) == names{"cat", "dan"});
  CHECK(a.seats_taken() == 5);
  CHECK(a.with_status(rsvp_status::waitlisted).empty());
}

TEST_CASE("attendance: strict FIFO, a party that does not fit blocks those behind") {
  attendance a(1, 4, {});
  a.join(user("ann"), 1);                    // 2
  a.join(user("bob"), 1);                    // 2, full
  a.join(user("cat"), 2);                    // waits, needs 3
  a.join(user("dan"), 0);                    // waits, needs 1
  const auto change = a.leave(user("ann"));  // 2 seats free: cat (3) does not fit
  CHECK(change.promoted.empty());
  CHECK(a.find("dan")->status == rsvp_status::waitlisted);
  CHECK(a.seats_left() == 2);
  CHECK(a.waitlist_position("cat") == 1);
  CHECK(a.waitlist_position("dan") == 2);

  const auto second = a.leave(user("bob"));  // 4 free: cat (3) then dan (1)
  CHECK(ids(second.promoted) == names{"cat", "dan"});
  CHECK(a.seats_left() == 0);
}

TEST_CASE("attendance: lowering the capacity removes nobody") {
  attendance a(1, 4, {});
  a.join(user("ann"), 1);
  a.join(user("bob"), 1);
  const auto change = a.set_capacity(2);
  CHECK(change.changed.empty());
  CHECK(change.promoted.empty());
  CHECK(ids(a.with_status(rsvp_status::going)) == names{"ann", "bob"});
  CHECK(a.seats_taken() == 4);
  CHECK(a.seats_left() == 0);
  CHECK(a.join(user("cat"), 0).outcome == rsvp_outcome::waitlisted);
  // Still over the new capacity after one leaves: nobody moves up.
  CHECK(a.leave(user("ann")).promoted.empty());
  CHECK(a.find("cat")->status == rsvp_status::waitlisted);
}

TEST_CASE("attendance: rejoining goes to the back of the line") {
  attendance a(1, 1, {});
  a.join(user("ann"), 0);
  a.join(user("bob"), 0);  // waits 1st
  a.join(user("cat"), 0);  // waits 2nd
  a.leave(user("bob"));
  CHECK(a.waitlist_position("cat") == 1);
  CHECK(a.join(user("bob"), 0).outcome == rsvp_outcome::waitlisted);
  CHECK(a.waitlist_position("cat") == 1);
  CHECK(a.waitlist_position("bob") == 2);

  const auto change = a.leave(user("ann"));
  CHECK(ids(change.promoted) == names{"cat"});
  // Going again after leaving, with room, also comes after everyone else.
  attendance b(2, std::nullopt, {});
  b.join(user("ann"), 0);
  b.join(user("bob"), 0);
  b.leave(user("ann"));
  b.join(user("ann"), 0);
  CHECK(ids(b.all()) == names{"bob", "ann"});
  CHECK(b.find("ann")->queue_order > b.find("bob")->queue_order);
}

TEST_CASE("attendance: a maybe who joins later queues behind those already waiting") {
  attendance a(1, 1, {});
  a.maybe(user("ann"));  // arrives first, as maybe
  a.join(user("bob"), 0);
  a.join(user("cat"), 0);  // waits
  CHECK(a.join(user("ann"), 0).outcome == rsvp_outcome::waitlisted);
  CHECK(a.waitlist_position("cat") == 1);
  CHECK(a.waitlist_position("ann") == 2);
}

TEST_CASE("attendance: loaded RSVPs are sorted by queue order") {
  std::vector<rsvp> stored{
      {1, user("late"), rsvp_status::waitlisted, 0, 9},
      {1, user("early"), rsvp_status::going, 1, 2},
      {1, user("middle"), rsvp_status::waitlisted, 0, 5},
  };
  attendance a(1, 2, stored);
  CHECK(ids(a.all()) == names{"early", "middle", "late"});
  CHECK(a.waitlist_position("middle") == 1);
  CHECK(a.waitlist_position("late") == 2);
  CHECK(a.waitlist_position("early") == 0);
  // A newcomer gets an order after the highest one.
  const auto change = a.join(user("new"), 0);
  CHECK(change.outcome == rsvp_outcome::waitlisted);
  CHECK(change.changed[0].queue_order == 10);
}
