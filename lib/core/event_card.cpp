#include "core/event_card.hpp"

#include "core/text_checks.hpp"

namespace tweetup {

event_card make_card(const event& e, const attendance& a, std::chrono::sys_seconds now,
                     event_card::use role) {
  event_card card;
  card.role = role;
  card.number = e.number;
  card.place = displayable(e.place);
  card.starts_at = e.starts_at;
  card.ends_at = e.ends_at;
  card.zone = e.zone;
  card.organizer = {e.organizer.id, displayable(e.organizer.name)};
  card.going = a.seats_taken();
  card.maybe = a.maybe_count();
  card.capacity = e.capacity;
  card.waiting = a.waiting_count();
  card.cancelled = e.status == event_status::cancelled;
  card.open = e.is_open(now);
  return card;
}

}  // namespace tweetup
