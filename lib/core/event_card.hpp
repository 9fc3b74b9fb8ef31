// An event as a card: what an adapter with native event displays needs to show one tweetup and
// its answers (Discord: an embed with RSVP buttons, updated in place). Plain data, a snapshot
// taken when the message was written. Text fields are already displayable.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "core/attendance.hpp"
#include "core/event.hpp"
#include "core/user_ref.hpp"

namespace tweetup {

struct event_card {
  // announce: the message presents the event (create, info): show the card with its buttons.
  // update: the message reports a change (an RSVP, a move, a cancel): refresh any card already
  // shown for this event, and show nothing new.
  enum class use { announce, update };

  use role = use::announce;
  int number = 0;
  std::string place;
  std::chrono::sys_seconds starts_at;
  std::optional<std::chrono::sys_seconds> ends_at;
  std::string zone;  // IANA name
  user_ref organizer;
  int going = 0;  // seats taken, guests included
  int maybe = 0;
  std::optional<int> capacity;
  int waiting = 0;
  bool cancelled = false;
  bool open = true;  // RSVPs still change (scheduled and not over)
};

// A partial `a` will do: the card shows counts, not names.
event_card make_card(const event& e, const attendance& a, std::chrono::sys_seconds now,
                     event_card::use role);

}  // namespace tweetup
