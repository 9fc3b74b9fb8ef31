#include "core/replies.hpp"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <iterator>

#include "core/text_checks.hpp"
#include "core/time_text.hpp"

namespace tweetup::replies {
namespace {

std::string names(const std::vector<rsvp>& list, bool numbered) {
  std::string text;
  int position = 0;
  for (const auto& r : list) {
    if (!text.empty()) text += ", ";
    if (numbered) text += fmt::format("{}. ", ++position);
    text += displayable(r.user.name);
    if (r.guests > 0) text += fmt::format(" +{}", r.guests);
  }
  return text;
}

std::string_view assumption_text(timeparse::assumption a) {
  using timeparse::assumption;
  switch (a) {
    case assumption::pm_for_bare_hour:
      return "PM";
    case assumption::am_for_bare_hour:
      return "AM";
    case assumption::tomorrow_because_passed:
      return "tomorrow, since that time has passed today";
    case assumption::next_week_because_passed:
      return "next week, since that time has passed today";
    case assumption::next_year_because_passed:
      return "next year, since that date has passed";
    case assumption::us_date_order:
      return "month/day order";
    case assumption::day_month_order:
      return "day/month order";
    case assumption::noon_for_date_only:
      return "noon, since no time was given";
    case assumption::now_for_date_only:
      return "the current time of day, since no time was given";
    case assumption::dst_gap_shifted:
      return "an hour later, since the clocks skip that time";
    case assumption::dst_fold_first:
      return "the first of the two times the clock shows that";
    case assumption::zone_from_text:
      return "the time zone you named";
    case assumption::channel_zone:
      return "";  // worded with the zone's name below
  }
  return "";
}

}  // namespace

// The words of every RSVP reply: formats compiled with FMT_COMPILE and text appended to one
// string, rather than a temporary per part.
std::string title(const event& e) {
  std::string text = fmt::format(FMT_COMPILE("#{} "), e.number);
  append_displayable(text, e.place);
  return text;
}

moment when_moment(const event& e) {
  return {e.starts_at, e.ends_at, true};
}

moment span_moment(const event& e) {
  return {e.starts_at, e.ends_at, false};
}

std::string when(const event_view& v) {
  std::string text;
  append_span(text, v.e.starts_at, v.e.ends_at, v.zone, v.now);
  text += " (";
  append_relative(text, v.now, v.e.starts_at);
  text += ')';
  return text;
}

std::string counts(const attendance& a) {
  std::string text = fmt::format(FMT_COMPILE("{} going"), a.seats_taken());
  if (const auto left = a.seats_left()) {
    if (*left > 0) {
      fmt::format_to(std::back_inserter(text), FMT_COMPILE(", {} spot{} left"), *left,
                     *left == 1 ? "" : "s");
    } else {
      text += ", full";
    }
  }
  const int waiting = a.waiting_count();
  if (waiting > 0) fmt::format_to(std::back_inserter(text), FMT_COMPILE(", {} waiting"), waiting);
  return text;
}

std::string assumptions(const timeparse::assumption_list& list, std::string_view zone_name) {
  std::string text;
  for (const auto a : list) {
    const std::string part = a == timeparse::assumption::channel_zone
                                 ? fmt::format("{} time", zone_name)
                                 : std::string(assumption_text(a));
    if (part.empty()) continue;
    text += text.empty() ? "Assumed: " : "; ";
    text += part;
  }
  return text.empty() ? text : text + ".";
}

std::string list_line(const event_view& v, const attendance& a) {
  return fmt::format("{} · {} · {}", title(v.e), when(v), counts(a));
}

std::string details(const event_view& v, const attendance& a) {
  std::string text = title(v.e);
  if (v.e.status == event_status::cancelled) text += " (cancelled)";
  if (v.e.status != event_status::cancelled && !v.e.is_open(v.now)) text += " (over)";
  text += fmt::format("\nWhen: {}", when(v));
  text += fmt::format("\nOrganizer: {}", displayable(v.e.organizer.name));
  text += fmt::format("\n{}", counts(a));
  if (const auto cap = a.capacity()) text += fmt::format(" (limit {})", *cap);
  const auto going = a.with_status(rsvp_status::going);
  const auto maybe = a.with_status(rsvp_status::maybe);
  const auto waiting = a.with_status(rsvp_status::waitlisted);
  if (!going.empty()) text += "\nGoing: " + names(going, false);
  if (!maybe.empty()) text += "\nMaybe: " + names(maybe, false);
  if (!waiting.empty()) text += "\nWaitlist: " + names(waiting, true);
  return text;
}

std::string storage_trouble(store_failure failure) {
  if (failure == store_failure::unsynced) {
    // The change is in the database, so "nothing was changed" would be untrue; whether it
    // outlives a restart depends on what reached the disk.
    return "Sorry, I can't be sure that was saved: the bot's disk did not confirm it, so it may "
           "be lost when the bot restarts. Please tell whoever runs this bot.";
  }
  std::string_view why;
  switch (failure) {
    case store_failure::disk_full:
      why = "the bot's disk is full";
      break;
    case store_failure::read_only:
      why = "the bot's database is read-only";
      break;
    case store_failure::busy:
      why = "the bot's database is busy";
      break;
    case store_failure::corrupt:
      why = "the bot's database is damaged";
      break;
    case store_failure::io_error:
      why = "the bot couldn't write to its disk";
      break;
    case store_failure::unsynced:  // answered above
    case store_failure::other:
      why = "the bot's database failed";
      break;
  }
  return fmt::format(
      "Sorry, I couldn't save that: {}. Nothing was changed; please tell whoever "
      "runs this bot, and try again later.",
      why);
}

}  // namespace tweetup::replies
