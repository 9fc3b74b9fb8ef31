// A channel's tweetups as an iCalendar object (RFC 5545) for calendar apps that subscribe to a
// URL. Pure: the caller gathers the events and their counts (core/calendar_feed.hpp).
//
// One VCALENDAR (METHOD:PUBLISH) with one VEVENT per event:
// - UID "tweetup-<store id>-<created, Unix seconds>@tweetup.invalid": stable for the event's
//   life, unique across bots in practice, and free of platform ids and of the feed key.
// - SEQUENCE is the event's revision, which move, place and cancel bump (§3.8.7.4: the
//   organizer's significant revisions). A new seat limit only changes DESCRIPTION, so it keeps
//   the SEQUENCE; subscribers pick it up with the next fetch all the same.
// - STATUS is CANCELLED for a cancelled event (it stays in the feed so apps show the
//   cancellation), CONFIRMED otherwise; SUMMARY then starts with "Cancelled: " for apps that
//   ignore STATUS.
// - DTSTART/DTEND in UTC; DTEND is the stated end, or the start plus default_event_length.
// - User text (place, organizer, calendar name) is cleaned with displayable() and escaped.
// Lines end in CRLF and are folded at 75 octets.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/event.hpp"

namespace tweetup {

struct ical_feed {
  struct entry {
    event e;
    std::string counts;  // the RSVP counts, already worded: "3 going, 5 spots left"
  };

  std::string name;  // X-WR-CALNAME, as plain text
  std::vector<entry> entries;
};

inline constexpr std::string_view ical_uid_domain = "tweetup.invalid";

// The feed as iCalendar text; `generated_at` becomes every DTSTAMP.
std::string render_ical_feed(const ical_feed& feed, std::chrono::sys_seconds generated_at);

// The UID of the event's VEVENT.
std::string ical_uid(const event& e);

}  // namespace tweetup
