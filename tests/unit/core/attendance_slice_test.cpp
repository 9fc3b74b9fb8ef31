// The partial attendance (built from a store's rsvp_slice) against the full one (built from every
// RSVP): they must decide and count identically, step after step.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/attendance.hpp"
#include "core/rsvp_slice.hpp"

using namespace tweetup;

namespace {

constexpr std::int64_t event_id = 5;

user_ref user(const std::string& id) {
  return {id, id + "_name"};
}

std::string text(const rsvp& r) {
  return r.user.id + "/" + r.user.name + "/" + std::to_string(static_cast<int>(r.status)) + "/+" +
         std::to_string(r.guests) + "/q" + std::to_string(r.queue_order) + "/e" +
         std::to_string(r.event_id);
}

std::string text(const std::vector<rsvp>& list) {
  std::string out;
  for (const auto& r : list)
    out += text(r) + " ";
  return out;
}

std::string text(const std::optional<int>& value) {
  return value ? std::to_string(*value) : "none";
}

std::string text(const rsvp_change& c) {
  return "outcome " + std::to_string(static_cast<int>(c.outcome)) + "; changed " + text(c.changed) +
         "; promoted " + text(c.promoted);
}

// The store's rows: saved as they change, read back in queue order like rsvps_of.
class rows {
 public:
  void save(const std::vector<rsvp>& changed) {
    for (const auto& r : changed)
      by_user_[r.user.id] = r;
  }
  std::vector<rsvp> in_queue_order() const {
    std::vector<rsvp> out;
    for (const auto& [id, r] : by_user_)
      out.push_back(r);
    std::stable_sort(out.begin(), out.end(),
                     [](const rsvp& a, const rsvp& b) { return a.queue_order < b.queue_order; });
    return out;
  }

 private:
  std::map<std::string, rsvp> by_user_;  // user id order, so ties in queue order break by id
};

// What a reply or a card reads of an attendance, after a change, as text.
std::string observed(const attendance& a, const std::string& actor) {
  const rsvp* mine = a.find(actor);
  return "seats " + std::to_string(a.seats_taken()) + ", left " + text(a.seats_left()) +
         ", maybe " + std::to_string(a.maybe_count()) + ", waiting " +
         std::to_string(a.waiting_count()) + ", position " +
         std::to_string(a.waitlist_position(actor)) + ", mine " + (mine ? text(*mine) : "none") +
         ", waitlist " + text(a.with_status(rsvp_status::waitlisted));
}

// The counts recomputed from every row of a full attendance: proves the kept tallies true.
std::string recounted(const attendance& full) {
  int seats = 0;
  for (const auto& r : full.with_status(rsvp_status::going))
    seats += r.seats();
  return std::to_string(seats) + "/" + std::to_string(full.with_status(rsvp_status::maybe).size()) +
         "/" + std::to_string(full.with_status(rsvp_status::waitlisted).size());
}

std::string kept(const attendance& a) {
  return std::to_string(a.seats_taken()) + "/" + std::to_string(a.maybe_count()) + "/" +
         std::to_string(a.waiting_count());
}

enum class capacity_mode { none, small, changing };

}  // namespace

TEST_CASE("attendance: partial and full agree on random RSVP sequences") {
  std::mt19937 random(20261129);
  const auto pick = [&](int low, int high) {
    return std::uniform_int_distribution<int>(low, high)(random);
  };
  constexpr int sequences = 2000;
  constexpr int users = 20;
  long steps_checked = 0;
  for (int sequence = 0; sequence < sequences; ++sequence) {
    const auto mode = static_cast<capacity_mode>(sequence % 3);
    std::optional<int> capacity;
    if (mode != capacity_mode::none) capacity = pick(1, 8);
    rows store;
    const int steps = pick(1, 50);
    for (int step = 0; step < steps; ++step) {
      const std::string actor = "u" + std::to_string(pick(0, users - 1));
      const auto all = store.in_queue_order();
      attendance full(event_id, capacity, all);
      attendance partial(capacity, make_rsvp_slice(event_id, all, actor));
      // Most steps are one command; some apply a second change to the same objects, to prove
      // the tallies are kept across changes and not only right when freshly loaded.
      const int changes = pick(0, 3) == 0 ? 2 : 1;
      for (int change = 0; change < changes; ++change) {
        const int roll = pick(0, 99);
        std::string what;
        rsvp_change a;
        rsvp_change b;
        if (mode == capacity_mode::changing && roll < 15) {
          const std::optional<int> next =
              pick(0, 4) == 0 ? std::nullopt : std::optional<int>(pick(1, 10));
          what = "set_capacity " + text(next);
          a = full.set_capacity(next);
          b = partial.set_capacity(next);
          capacity = next;
        } else if (roll < 60) {
          const int guests = pick(0, 3) == 0 ? pick(1, 4) : 0;
          what = "join +" + std::to_string(guests);
          a = full.join(user(actor), guests);
          b = partial.join(user(actor), guests);
        } else if (roll < 80) {
          what = "maybe";
          a = full.maybe(user(actor));
          b = partial.maybe(user(actor));
        } else {
          what = "leave";
          a = full.leave(user(actor));
          b = partial.leave(user(actor));
        }
        INFO("sequence ", sequence, ", step ", step, ", change ", change, ": ", actor, " ", what,
             " (capacity ", text(capacity), ")\nrows before: ", text(all));
        REQUIRE(text(b) == text(a));
        REQUIRE(observed(partial, actor) == observed(full, actor));
        REQUIRE(kept(full) == recounted(full));
        store.save(a.changed);
        ++steps_checked;
      }
    }
  }
  CHECK(steps_checked > 40000);
}

TEST_CASE("attendance: a partial one refuses what needs rows it does not hold") {
  const std::vector<rsvp> all = {
      {event_id, user("ann"), rsvp_status::going, 0, 1},
      {event_id, user("bob"), rsvp_status::maybe, 0, 2},
      {event_id, user("cy"), rsvp_status::waitlisted, 1, 3},
  };
  attendance a(1, make_rsvp_slice(event_id, all, "bob"));
  CHECK(a.partial());
  CHECK_FALSE(attendance(event_id, 1, all).partial());
  CHECK_THROWS_AS(a.all(), std::logic_error);
  CHECK_THROWS_AS(a.with_status(rsvp_status::going), std::logic_error);
  CHECK_THROWS_AS(a.with_status(rsvp_status::maybe), std::logic_error);
  CHECK_THROWS_AS(a.with_status(rsvp_status::declined), std::logic_error);
  CHECK_THROWS_AS(a.find("ann"), std::logic_error);     // going, and not held
  CHECK_THROWS_AS(a.find("nobody"), std::logic_error);  // may or may not have answered
  CHECK_THROWS_AS(a.join(user("ann"), 0), std::logic_error);
  CHECK_THROWS_AS(a.leave(user("dee")), std::logic_error);

  // What it holds, it answers: the actor, anyone waiting, and the counts.
  REQUIRE(a.find("bob") != nullptr);
  CHECK(a.find("bob")->status == rsvp_status::maybe);
  REQUIRE(a.find("cy") != nullptr);
  CHECK(a.waitlist_position("cy") == 1);
  CHECK(a.with_status(rsvp_status::waitlisted).size() == 1);
  CHECK(a.seats_taken() == 1);
  CHECK(a.maybe_count() == 1);
  CHECK(a.waiting_count() == 1);

  // bob goes to the back of the line, behind cy.
  const auto change = a.join(user("bob"), 0);
  CHECK(change.outcome == rsvp_outcome::waitlisted);
  CHECK(a.waitlist_position("bob") == 2);
  CHECK(a.maybe_count() == 0);
  CHECK(a.waiting_count() == 2);

  // Someone with no RSVP at all, asking for their own: nothing held, and that is the truth.
  attendance fresh(1, make_rsvp_slice(event_id, all, "dee"));
  CHECK(fresh.find("dee") == nullptr);
  CHECK(fresh.leave(user("dee")).outcome == rsvp_outcome::not_joined);
}

TEST_CASE("attendance: a slice that contradicts itself is refused") {
  rsvp_slice slice;
  slice.event_id = event_id;
  slice.user_id = "ann";
  slice.tallies.waiting = 1;  // but no waitlist rows
  CHECK_THROWS_AS(attendance(std::nullopt, slice), std::logic_error);

  slice.tallies.waiting = 0;
  slice.own = rsvp{event_id, user("ann"), rsvp_status::waitlisted, 0, 1};  // not on the waitlist
  CHECK_THROWS_AS(attendance(std::nullopt, slice), std::logic_error);

  slice.own = rsvp{event_id, user("bob"), rsvp_status::going, 0, 1};  // someone else's row
  CHECK_THROWS_AS(attendance(std::nullopt, slice), std::logic_error);
}
